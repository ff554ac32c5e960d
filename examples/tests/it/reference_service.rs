//! The reference service as it is deployed: two replicas (processes) on one PostgreSQL, a sender
//! that delivers signed callouts with duplicates to both, one replica killed with SIGKILL and
//! restarted; afterwards the application's table holds each callout's effect exactly once, and both
//! replicas stop cleanly on SIGTERM. Needs PostgreSQL (ignored without it; `bash .ci/test` runs it).

#[path = "../../examples/reference_service.rs"]
#[allow(dead_code)]
mod service;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common_auth::{CalloutAuth, Env, SecretString};

/// Set in a replica process's environment: the test function below is then the replica.
const REPLICA_ENV: &str = "REFERENCE_SERVICE_REPLICA";
const SECRET: &str = "reference-service-test-secret-0123456789";
const CALLOUTS: usize = 60;

fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DATABASE_URL is not set: `bash .ci/test` starts a throwaway PostgreSQL and runs the \
             PostgreSQL tests"
        ),
    }
}

/// The replica process: the reference service's `run`, configured from this process's
/// environment, stopped by SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "entry point of a replica process of two_replicas_record_each_callout_once"]
async fn replica_process() {
    if std::env::var_os(REPLICA_ENV).is_none() {
        return;
    }
    let settings = service::ServiceSettings::from_vars(&Env::process()).expect("settings");
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .expect("listen");
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .build_recorder()
        .handle();
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
    service::run(settings, listener, metrics, async move {
        terminate.recv().await;
    })
    .await
    .expect("the service runs and stops cleanly");
    println!("replica stopped cleanly");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A replica process, killed when dropped (a failing test leaves none behind).
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_replica(database_url: &str, port: u16) -> Replica {
    let child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "reference_service::replica_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(REPLICA_ENV, "1")
        .env("DATABASE_URL", database_url)
        .env("REFERENCE_LISTEN", format!("127.0.0.1:{port}"))
        .env("REFERENCE_INBOX_WORKERS", "2")
        .env("HOUSECANARY_CALLOUT_SCHEME", "hmac")
        .env("HOUSECANARY_CALLOUT_HEADER", "x-hc-signature")
        .env("HOUSECANARY_CALLOUT_SECRET", SECRET)
        .env_remove("INNOVIS_CLIENT_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("replica starts");
    Replica(child)
}

async fn wait_ready(http: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if response.status().is_success() {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "replica on {port} never became ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Delivers callout `index` to the replica on `port`, as HouseCanary would (signed); whether it
/// was acknowledged.
async fn deliver(http: &reqwest::Client, auth: &CalloutAuth, port: u16, index: usize) -> bool {
    let body = format!(
        r#"{{"message_type":"order_item_status_change","message_id":"reference-{index}","order_id":{order},"customer_order_id":"c-{order}","order_item_id":{index},"customer_item_id":null,"new_status":"complete","external_integration_id":null}}"#,
        order = 1000 + index % 7
    );
    let uri = format!("http://127.0.0.1:{port}{}", service::CALLOUT_PATH);
    let signed = auth.sign(&uri.parse().unwrap(), body.as_bytes()).unwrap();
    let mut request = http.post(uri).body(body);
    for (name, value) in &signed.headers {
        request = request.header(name, value);
    }
    matches!(request.send().await, Ok(response) if response.status().is_success())
}

fn terminate(child: &mut Child) -> std::process::Output {
    let pid = child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(_exit) = child.try_wait().expect("wait") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "a replica did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdout = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    std::process::Output {
        status,
        stdout: stdout.into_bytes(),
        stderr: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn two_replicas_record_each_callout_once() {
    // A database of its own: the service uses fixed schema names.
    let admin_url = database_url();
    let database = format!("reference_{}", unique_suffix());
    let pool = credit_valuation_postgres::pool_from_url(&admin_url, 1).unwrap();
    pool.get()
        .await
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').expect("a URL with a database");
    let url = format!("{base}/{database}");

    let (port_a, port_b) = (free_port(), free_port());
    let mut a = start_replica(&url, port_a);
    let mut b = start_replica(&url, port_b);
    let http = reqwest::Client::new();
    wait_ready(&http, port_a).await;
    wait_ready(&http, port_b).await;
    let auth = CalloutAuth::hmac_sha1(
        http::HeaderName::from_static("x-hc-signature"),
        SecretString::from(SECRET),
    )
    .unwrap();

    for index in 0..CALLOUTS {
        if index == CALLOUTS / 3 {
            a.0.kill().expect("SIGKILL replica a");
            a.0.wait().unwrap();
        }
        if index == CALLOUTS * 2 / 3 {
            a = start_replica(&url, port_a);
            wait_ready(&http, port_a).await;
        }
        // Every callout goes to both replicas (the vendor redelivers; a load balancer may send a
        // redelivery elsewhere); one that neither acknowledged is redelivered until one does.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let to_a = deliver(&http, &auth, port_a, index).await;
            let to_b = deliver(&http, &auth, port_b, index).await;
            if to_a || to_b {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "callout {index} never acknowledged"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Every acknowledged callout's effect lands, once. A callout whose handler was running in the
    // killed replica is handled again when its claim lease ends: at most its two workers' callouts
    // are handled twice, and the effect, keyed by `message_id`, still lands once.
    let app = credit_valuation_postgres::pool_from_url(&url, 1).unwrap();
    let client = app.get().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let row = client
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE handled > 1) FROM reference_app.order_events",
                &[],
            )
            .await
            .unwrap();
        let (rows, handled_again): (i64, i64) = (row.get(0), row.get(1));
        if rows == CALLOUTS as i64 {
            assert!(
                handled_again <= 2,
                "{handled_again} callouts were handled more than once"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{rows} of {CALLOUTS} callouts recorded"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    for (name, replica) in [("a", &mut a), ("b", &mut b)] {
        let output = terminate(&mut replica.0);
        assert!(
            output.status.success(),
            "replica {name} exited with {}",
            output.status
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("replica stopped cleanly"),
            "replica {name}: {stdout}"
        );
    }
    drop(client);
    drop(app);
    pool.get()
        .await
        .unwrap()
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .await
        .unwrap();
}

fn unique_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64 % 1_000_000_007)
}
