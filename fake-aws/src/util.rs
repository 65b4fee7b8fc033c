//! Small helpers shared by the services: a deterministic PRNG step
//! (splitmix64), a stable hash (FNV-1a 64), opaque pagination tokens, the
//! SigV4 credential parsers (access key, region, signing name), form-body
//! decoding for the AWS query protocol, base-36 ids and ISO-8601 timestamps.

/// One splitmix64 step: a good 64-bit mixer, used for fault decisions and ids.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A tiny deterministic stream of uniform floats in `[0, 1)`.
pub(crate) struct Stream(u64);

impl Stream {
    pub(crate) fn new(seed: u64, n: u64) -> Self {
        Stream(seed ^ splitmix64(n ^ 0xA076_1D64_78BD_642F))
    }

    pub(crate) fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let v = splitmix64(self.0);
        (v >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// FNV-1a 64-bit hash, stable across runs and platforms (unlike `DefaultHasher`).
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator so that ("ab","c") and ("a","bc") hash differently.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        self
    }

    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub(crate) fn i64(&mut self, v: i64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

const TOKEN_SEP: char = '\u{1f}';

/// Encodes fields into an opaque (hex) pagination token.
pub(crate) fn encode_token(fields: &[&str]) -> String {
    let joined = fields.join(&TOKEN_SEP.to_string());
    let mut out = String::with_capacity(joined.len() * 2);
    for b in joined.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Decodes a token made by [`encode_token`]; `None` when it is not one.
pub(crate) fn decode_token(token: &str) -> Option<Vec<String>> {
    if token.is_empty() || !token.len().is_multiple_of(2) {
        return None;
    }
    let mut bytes = Vec::with_capacity(token.len() / 2);
    for i in (0..token.len()).step_by(2) {
        bytes.push(u8::from_str_radix(token.get(i..i + 2)?, 16).ok()?);
    }
    let s = String::from_utf8(bytes).ok()?;
    Some(s.split(TOKEN_SEP).map(str::to_string).collect())
}

/// Region from a SigV4 `authorization` header:
/// `AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/monitoring/aws4_request, ...`.
pub(crate) fn region_from_authorization(auth: Option<&str>) -> Option<String> {
    let parts = credential_parts(auth)?;
    // AKID / date / region / service / aws4_request
    if parts.len() >= 5 && !parts[2].is_empty() {
        Some(parts[2].to_string())
    } else {
        None
    }
}

/// The parts of the SigV4 credential (`AKID/date/region/service/aws4_request`)
/// in an `authorization` header, split on `/`.
fn credential_parts(auth: Option<&str>) -> Option<Vec<&str>> {
    let auth = auth?;
    let start = auth.find("Credential=")? + "Credential=".len();
    let cred = auth[start..].split([',', ' ']).next()?;
    Some(cred.split('/').collect())
}

/// Access key id from a SigV4 `authorization` header (the `AKID` of
/// `Credential=AKID/...`); `None` when there is no credential or it is empty.
pub(crate) fn access_key_from_authorization(auth: Option<&str>) -> Option<String> {
    let parts = credential_parts(auth)?;
    parts
        .first()
        .filter(|k| !k.is_empty())
        .map(|k| k.to_string())
}

/// Signing name (`monitoring`, `logs`, `ce`, …) from the SigV4 credential scope.
pub(crate) fn service_from_authorization(auth: Option<&str>) -> Option<String> {
    let parts = credential_parts(auth)?;
    if parts.len() >= 5 && !parts[3].is_empty() {
        Some(parts[3].to_string())
    } else {
        None
    }
}

/// `n` in base 36 (digits and uppercase letters), left-padded with `0` to `width`.
pub(crate) fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::with_capacity(width.max(13));
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// Epoch milliseconds as ISO-8601 UTC with second precision, `2019-11-09T13:34:41Z`
/// (the form STS uses for `Expiration`).
pub(crate) fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Decodes an `application/x-www-form-urlencoded` body into pairs.
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let s = String::from_utf8_lossy(body);
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Escapes text for an XML element body.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A UUID-shaped string derived deterministically from a number.
pub(crate) fn uuid_like(n: u64) -> String {
    let a = splitmix64(n);
    let b = splitmix64(a ^ n);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        (b >> 52) as u16,
        b & 0xffff_ffff_ffff
    )
}

/// Serves `handler` on `listener` (HTTP/1.1) until the returned task is aborted, which also
/// aborts every connection: the small fakes on their own ports (Datadog, the Athena layer).
pub(crate) fn spawn_server<F, Fut, E>(
    listener: tokio::net::TcpListener,
    handler: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(hyper::Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<
            Output = Result<hyper::Response<http_body_util::Full<hyper::body::Bytes>>, E>,
        > + Send
        + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    tokio::spawn(async move {
        let mut conns: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let handler = handler.clone();
                    conns.spawn(async move {
                        let svc = hyper::service::service_fn(handler);
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                            .await;
                    });
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let t = encode_token(&["dlg1", "/a/b c", ""]);
        assert_eq!(
            decode_token(&t).unwrap(),
            vec!["dlg1".to_string(), "/a/b c".to_string(), String::new()]
        );
        assert!(decode_token("zz").is_none());
        assert!(decode_token("abc").is_none());
        assert!(decode_token("").is_none());
    }

    #[test]
    fn region_parse() {
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20261124/eu-west-3/monitoring/aws4_request, SignedHeaders=host, Signature=abc";
        assert_eq!(
            region_from_authorization(Some(h)).as_deref(),
            Some("eu-west-3")
        );
        assert_eq!(region_from_authorization(Some("garbage")), None);
        assert_eq!(region_from_authorization(None), None);
    }

    #[test]
    fn credential_parts_parse() {
        let h = "AWS4-HMAC-SHA256 Credential=ASIA0000000000000001/20261124/us-east-1/ce/aws4_request, SignedHeaders=host, Signature=abc";
        assert_eq!(
            access_key_from_authorization(Some(h)).as_deref(),
            Some("ASIA0000000000000001")
        );
        assert_eq!(service_from_authorization(Some(h)).as_deref(), Some("ce"));
        assert_eq!(access_key_from_authorization(Some("garbage")), None);
        assert_eq!(
            access_key_from_authorization(Some("AWS4-HMAC-SHA256 Credential=/x")),
            None
        );
        assert_eq!(service_from_authorization(None), None);
    }

    #[test]
    fn base36_and_iso8601() {
        assert_eq!(base36(0, 4), "0000");
        assert_eq!(base36(35, 1), "Z");
        assert_eq!(base36(36, 3), "010");
        assert_eq!(base36(u64::MAX, 16).len(), 16);
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_573_306_481_000), "2019-11-09T13:34:41Z");
        assert_eq!(iso8601(951_782_400_999), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn form_decoding() {
        let f = parse_form(b"Action=GetCallerIdentity&Version=2011-06-15&X=a%2Fb+c&Y=%zz");
        assert_eq!(f[0], ("Action".into(), "GetCallerIdentity".into()));
        assert_eq!(f[2], ("X".into(), "a/b c".into()));
        assert_eq!(f[3], ("Y".into(), "%zz".into()));
    }

    #[test]
    fn uuid_like_is_deterministic_and_distinct() {
        assert_eq!(uuid_like(1), uuid_like(1));
        assert_ne!(uuid_like(1), uuid_like(2));
        assert_eq!(uuid_like(7).len(), 36);
    }
}
