//! Escaping text for HTML and SVG (text content and quoted attribute values).

/// Escape `text` so that it can be placed in HTML or SVG text content or in a
/// double- or single-quoted attribute value, and parsed back as the same text.
///
/// - `&`, `<`, `>`, `"` and `'` become character references;
/// - control characters that XML forbids or HTML reports as parse errors
///   (C0 except tab, line feed and carriage return; DEL and C1) and the
///   noncharacters U+FFFE and U+FFFF become U+FFFD, so an inline SVG is also
///   well-formed XML;
/// - the colon of `://` becomes `&#58;`: a source cited as text displays
///   unchanged, but the file never holds a literal URL, so "no external URL"
///   stays a plain text check.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            ':' if text[i + 1..].starts_with("//") => out.push_str("&#58;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if is_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Characters that may not appear in an XML document or that HTML treats as
/// parse errors.
fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn references_are_not_double_decoded() {
        // A literal "&amp;" in the input must display as "&amp;", not "&".
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("&#60;"), "&amp;#60;");
    }

    #[test]
    fn plain_and_non_ascii_text_is_unchanged() {
        let s = "Korea 5–95 % μ* σ – Gdańsk\tline\nnext";
        assert_eq!(escape(s), s);
        assert_eq!(escape(""), "");
    }

    #[test]
    fn forbidden_controls_are_replaced() {
        assert_eq!(
            escape("a\u{0}b\u{1B}c\u{7F}d\u{85}e\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}"
        );
    }

    #[test]
    fn url_schemes_are_neutralised() {
        assert_eq!(
            escape("source: https://www.sipri.org/x"),
            "source: https&#58;//www.sipri.org/x"
        );
        assert!(!escape("see http://a and https://b").contains("://"));
        // A colon not followed by // is left alone.
        assert_eq!(escape("ratio 1:2, a:/b"), "ratio 1:2, a:/b");
        // Trailing colon: no slice past the end.
        assert_eq!(escape("end:"), "end:");
    }

    #[test]
    fn escaping_round_trips_through_an_unescaper() {
        // A minimal decoder for the references escape() writes.
        fn unescape(s: &str) -> String {
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&#58;", ":")
                .replace("&amp;", "&")
        }
        for s in ["a<b>c", "x & y", "\"q\" 'r'", "https://x", "&lt;", "&#58;"] {
            assert_eq!(unescape(&escape(s)), s, "{s}");
        }
    }
}
