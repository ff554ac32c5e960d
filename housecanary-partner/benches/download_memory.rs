//! Benchmark: an export archive is streamed to the writer, never held whole in memory.
//!
//! A tiny in-process HTTP/1.1 server sends a `SIZE`-byte body in 64 KiB pieces (so the server
//! holds no copy of it either). The client's `download_url` writes it into a counting
//! `AsyncWrite` that records the largest single write and the total, and checks every byte.
//! Baseline: `reqwest::get(url).bytes()`, which holds the whole body in one buffer.
//!
//! Target: largest write < 1 MiB while the total is the full `SIZE`. The largest write bounds
//! what the client holds at once (a chunk is written before the next one is read). Exits
//! non-zero only if the target is missed or a byte differs.

use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use housecanary_partner::{Client, Config, Environment, SecretString};
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SIZE: usize = 64 * 1024 * 1024;
const PIECE: usize = 64 * 1024;
const REPETITIONS: usize = 3;
const LARGEST_WRITE_LIMIT: usize = 1024 * 1024;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let address = listener.local_addr().expect("the local address");
    tokio::spawn(serve(listener));

    let base = url::Url::parse(&format!("http://{address}/partner-api/v1/")).expect("a URL");
    let archive = base.join("exports/HC_bench.zip").expect("a URL");
    let client = Client::new(Config::new(
        Environment::Custom(base),
        SecretString::from("bench-token"),
    ))
    .expect("a client");

    let mut streamed = Vec::new();
    let mut buffered = Vec::new();
    let mut last_writer = CountingWriter::default();
    let mut baseline_held = 0;
    for _ in 0..REPETITIONS {
        let mut writer = CountingWriter::default();
        let start = Instant::now();
        let written = client
            .download_url(&archive, &mut writer)
            .await
            .expect("the download succeeds");
        streamed.push(start.elapsed());
        assert_eq!(
            written, writer.total as u64,
            "the returned count is the total"
        );
        last_writer = writer;

        let start = Instant::now();
        let body = reqwest::get(archive.clone())
            .await
            .expect("the baseline request succeeds")
            .bytes()
            .await
            .expect("the baseline body");
        buffered.push(start.elapsed());
        assert!(
            body.iter().enumerate().all(|(i, b)| *b == expected_byte(i)),
            "the baseline body is intact"
        );
        baseline_held = body.len();
    }
    let streamed = median(streamed);
    let buffered = median(buffered);
    let writer = last_writer;

    println!(
        "download_memory: {} MiB export from a local server, median of {REPETITIONS}",
        SIZE / (1024 * 1024)
    );
    println!(
        "  {:<42} {:>14} {:>16} {:>10}",
        "path", "total bytes", "largest buffer", "time"
    );
    println!(
        "  {:<42} {:>14} {:>16} {:>7.0} ms",
        "client.download_url -> AsyncWrite",
        writer.total,
        format!("{} (write)", writer.largest),
        streamed.as_secs_f64() * 1e3
    );
    println!(
        "  {:<42} {:>14} {:>16} {:>7.0} ms",
        "baseline: reqwest::get(..).bytes()",
        baseline_held,
        format!("{baseline_held} (body)"),
        buffered.as_secs_f64() * 1e3
    );
    println!(
        "  writes: {}, mean write {} bytes",
        writer.writes,
        writer.total / writer.writes.max(1)
    );
    println!(
        "  ratio largest write / total: {:.5}; largest write / baseline buffer: {:.5}",
        writer.largest as f64 / writer.total.max(1) as f64,
        writer.largest as f64 / baseline_held.max(1) as f64
    );
    println!(
        "  target: largest write < {} bytes (1 MiB) with total = {SIZE}",
        LARGEST_WRITE_LIMIT
    );

    let mut ok = true;
    if writer.total != SIZE || writer.mismatch.is_some() {
        println!(
            "  FAIL: the streamed body is not intact (total {}, first wrong byte at {:?})",
            writer.total, writer.mismatch
        );
        ok = false;
    }
    if writer.largest >= LARGEST_WRITE_LIMIT {
        println!("  FAIL: a single write held {} bytes", writer.largest);
        ok = false;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The body's byte at `index`: a pattern that a shifted or dropped chunk cannot match.
fn expected_byte(index: usize) -> u8 {
    (index % 251) as u8
}

/// Answers every request with the `SIZE`-byte body, written piece by piece.
async fn serve(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            // A failed connection shows up as a failed download in the benchmark.
            let _ = answer(stream).await;
        });
    }
}

async fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    // Read the request head (GET: no body).
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(());
        }
        head.extend_from_slice(buffer.get(..read).unwrap_or_default());
    }
    stream
        .write_all(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: {SIZE}\r\nconnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut piece = vec![0_u8; PIECE];
    let mut sent = 0;
    while sent < SIZE {
        let length = PIECE.min(SIZE - sent);
        for (offset, byte) in piece.iter_mut().enumerate().take(length) {
            *byte = expected_byte(sent + offset);
        }
        stream
            .write_all(piece.get(..length).unwrap_or_default())
            .await?;
        sent += length;
    }
    stream.shutdown().await
}

/// Counts what is written and keeps none of it.
#[derive(Default)]
struct CountingWriter {
    total: usize,
    largest: usize,
    writes: usize,
    /// The first offset whose byte was not the expected one.
    mismatch: Option<usize>,
}

impl AsyncWrite for CountingWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if this.mismatch.is_none() {
            this.mismatch = buf
                .iter()
                .enumerate()
                .find(|(offset, byte)| **byte != expected_byte(this.total + offset))
                .map(|(offset, _)| this.total + offset);
        }
        this.total += buf.len();
        this.largest = this.largest.max(buf.len());
        this.writes += 1;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
