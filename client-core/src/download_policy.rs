//! Which URLs a download may fetch: a signed URL comes from the network, and must not make this
//! process fetch from its own network (cloud metadata, admin ports) or over plain HTTP.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// The rules, fixed when the transport is built.
#[derive(Debug, Clone)]
pub(crate) struct DownloadPolicy {
    /// Loopback, private and link-local addresses may be reached: the API itself lives on one
    /// (the sandbox), or the user allowed it.
    allow_private: bool,
}

impl DownloadPolicy {
    pub(crate) fn for_base(base: &Url, allow_private: bool) -> Self {
        let base_is_private = match base.host() {
            Some(Host::Ipv4(ip)) => is_private(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => is_private(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        DownloadPolicy {
            allow_private: allow_private || base_is_private,
        }
    }

    /// Why `url` may not be fetched, if it may not. Names resolved later are checked again by
    /// [`GuardedResolver`].
    pub(crate) fn refusal(&self, url: &Url) -> Option<String> {
        if !url.username().is_empty() || url.password().is_some() {
            return Some("download URLs may not carry user-info".to_owned());
        }
        let host = url.host()?;
        let private = match &host {
            Host::Ipv4(ip) => is_private(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => is_private(IpAddr::V6(*ip)),
            Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        };
        if private && !self.allow_private {
            return Some(
                "the address is not public (loopback, private, link-local, site- or unique-local, \
                 or an IPv6 form that maps to or tunnels IPv4; allow it with \
                 allow_private_downloads if this is intended)"
                    .to_owned(),
            );
        }
        match url.scheme() {
            "https" => None,
            "http" if private && self.allow_private => None,
            "http" => Some("downloads must use https".to_owned()),
            other => Some(format!("`{other}` URLs cannot be downloaded")),
        }
    }

    fn allows_address(&self, address: IpAddr) -> bool {
        self.allow_private || !is_private(address)
    }
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, broadcast, multicast and
/// documentation ranges; and in IPv6 also site-local, unique-local, and every form that maps to or
/// tunnels IPv4 (whatever IPv4 address it carries, public or not).
fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(ip) => is_private_v4(ip),
        IpAddr::V6(ip) => is_private_v6(ip),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let [s0, s1, s2, s3, s4, s5, ..] = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s0 & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (s0 & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (s0 & 0xffc0) == 0xfec0 // site-local, fec0::/10 (deprecated, still routed by some)
        || (s0, s1, s2, s3, s4) == (0, 0, 0, 0, 0) // IPv4-compatible ::/96 and mapped ::ffff:0:0/96
        || (s0, s1, s2, s3, s4, s5) == (0x64, 0xff9b, 0, 0, 0, 0) // NAT64, 64:ff9b::/96
        || (s0, s1, s2) == (0x64, 0xff9b, 1) // local-use NAT64, 64:ff9b:1::/48
        || s0 == 0x2002 // 6to4, 2002::/16
        || (s0, s1) == (0x2001, 0) // Teredo, 2001::/32
        || (s0, s1) == (0x2001, 0xdb8) // documentation, 2001:db8::/32
}

/// A DNS resolver for the download client that drops the addresses the policy forbids, so a
/// public name that resolves to a private address is refused too.
pub(crate) struct GuardedResolver {
    policy: DownloadPolicy,
}

impl GuardedResolver {
    pub(crate) fn new(policy: DownloadPolicy) -> std::sync::Arc<Self> {
        std::sync::Arc::new(GuardedResolver { policy })
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|address| policy.allows_address(address.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(format!(
                    "{host} resolves only to addresses that are not public; refused by the \
                     download policy"
                )
                .into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_public_base_refuses_private_targets_and_plain_http() {
        let policy = DownloadPolicy::for_base(&url("https://api.example/v1/"), false);
        assert!(
            policy
                .refusal(&url("https://cdn.example/a.zip?sig=1"))
                .is_none()
        );
        for refused in [
            "http://cdn.example/a.zip",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1:8080/a",
            "https://10.1.2.3/a",
            "https://[::1]/a",
            "https://[fe80::1]/a",
            "https://[::ffff:192.168.0.1]/a",
            "https://100.64.0.1/a",
            "https://localhost/a",
            "https://user:pw@cdn.example/a",
            "ftp://cdn.example/a",
        ] {
            assert!(policy.refusal(&url(refused)).is_some(), "{refused}");
        }
    }

    #[test]
    fn a_loopback_base_allows_loopback_and_its_plain_http() {
        let policy = DownloadPolicy::for_base(&url("http://127.0.0.1:4000/"), false);
        assert!(
            policy
                .refusal(&url("http://127.0.0.1:5000/a.zip"))
                .is_none()
        );
        assert!(policy.refusal(&url("http://cdn.example/a.zip")).is_some());
        assert!(policy.allows_address("127.0.0.1".parse().unwrap()));
        let strict = DownloadPolicy::for_base(&url("https://api.example/"), false);
        assert!(!strict.allows_address("169.254.169.254".parse().unwrap()));
        assert!(strict.allows_address("93.184.216.34".parse().unwrap()));
    }
}
