//! The text a calibration's identity hashes, kept in its work folder
//! (`settings.jsonl`) so that a refused `--resume`, shard or join names the
//! keys that changed, as a sweep's does ([`crate::sweep::settings`]).
//!
//! The identity in `state.toml` and in the shards' parts is a hash only;
//! the kept text is the very one hashed, so that it can be trusted only
//! where it hashes to the identity the folder holds.

use crate::sweep::settings::{Change, differences, listed, plain, two_lines};
use serde_json::Value;

/// The file's name in the work folder.
pub(crate) const FILE: &str = "settings.jsonl";

/// What `calibrate`'s refusals say when the settings a folder was made
/// from are not known (a folder made before they were kept).
pub(crate) const UNNAMED: &str = "file, models, settings or program version differ";

/// The file's contents: the hashed text, then the models' names (in the
/// order of their worlds in the text), a line each.
pub(crate) fn to_bytes(text: &str, models: &[String]) -> Vec<u8> {
    let names = serde_json::to_string(models).unwrap_or_default();
    format!("{text}\n{names}\n").into_bytes()
}

/// The hashed text and the models' names a file holds, if it holds two
/// lines (a torn file holds none).
pub(crate) fn parse(bytes: &[u8]) -> Option<(String, Vec<String>)> {
    let (hashed, names) = two_lines(bytes)?;
    Some((hashed.to_string(), serde_json::from_str(names).ok()?))
}

/// What differs between the calibration a folder was made from (`was`)
/// and this one (`now`), each a hashed text with its models' names, said
/// as a refusal says it; `None` if nothing can be named.
pub(crate) fn changed(was: (&str, &[String]), now: (&str, &[String])) -> Option<String> {
    // `[version, abc fingerprint, resolved file, [worlds], replications]`.
    let parts = |t: &str| -> Option<Vec<Value>> {
        match serde_json::from_str(t).ok()? {
            Value::Array(v) if v.len() == 5 => Some(v),
            _ => None,
        }
    };
    let (a, b) = (parts(was.0)?, parts(now.0)?);
    let mut keys = differences("", &a[2], &b[2]);
    match (&a[3], &b[3]) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() && was.1 == now.1 => {
            for ((x, y), name) in x.iter().zip(y).zip(now.1) {
                for c in differences("", x, y) {
                    // A world read from the calibration file itself is that
                    // file without `[calibrate]`: its keys are named once.
                    if !keys.contains(&c) {
                        keys.push(Change {
                            key: format!("{} (model `{name}`)", c.key),
                            ..c
                        });
                    }
                }
            }
        }
        (x, y) => {
            // Other models: their ids are told in `calibrate.models`, if
            // that is where they changed.
            if x != y && keys.is_empty() {
                keys.extend(differences("models", x, y));
            }
        }
    }
    if a[4] != b[4] && !keys.iter().any(|c| c.key == "calibrate.replications") {
        keys.extend(differences("calibrate.replications", &a[4], &b[4]));
    }
    let mut named = listed(&keys);
    if a[0] != b[0] {
        named.push(format!(
            "the program's version was {}, now {}",
            plain(&a[0]),
            plain(&b[0])
        ));
    }
    if named.is_empty() && a[1] != b[1] {
        // The engine hashes the targets' observed values too.
        named.push("the targets' observed values or the engine's settings differ".into());
    }
    (!named.is_empty()).then(|| named.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(world: &str, replications: u32) -> String {
        format!(
            r#"["0.1.0","abc",{{"calibrate":{{"population":40}},"market":{world}}},[{{"market":{world}}}],{replications}]"#
        )
    }

    #[test]
    fn the_file_holds_the_text_exactly() {
        let t = text(r#"{"a":1}"#, 1);
        let names = vec!["toy".to_string()];
        assert_eq!(
            parse(&to_bytes(&t, &names)),
            Some((t.clone(), names.clone()))
        );
        let bytes = to_bytes(&t, &names);
        assert_eq!(parse(&bytes[..bytes.len() - 1]), None);
    }

    #[test]
    fn a_key_of_the_file_s_own_world_is_named_once() {
        let names = vec!["toy".to_string()];
        let was = text(r#"{"public_reputation":0.3}"#, 1);
        let now = text(r#"{"public_reputation":0.5}"#, 2);
        assert_eq!(
            changed((&was, &names), (&now, &names)).as_deref(),
            Some("market.public_reputation was 0.3, now 0.5; calibrate.replications was 1, now 2")
        );
        assert_eq!(changed((&was, &names), (&was, &names)), None);
    }
}
