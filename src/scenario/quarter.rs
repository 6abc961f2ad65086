//! Calendar quarters: the one parser of `YYYYQn`, used by scenario files,
//! the model and every output.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar quarter, stored as `year * 4 + (quarter - 1)` so that the
/// difference of two quarters is a number of quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(pub i32);

impl Quarter {
    /// The quarter `q` (1..=4) of `year`.
    pub fn new(year: i32, q: u32) -> Quarter {
        Quarter(year * 4 + (q as i32 - 1))
    }
    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }
    /// Quarter of the year, 1..=4.
    pub fn q(self) -> u32 {
        self.0.rem_euclid(4) as u32 + 1
    }
    /// The quarter `n` quarters later.
    pub fn plus(self, n: i32) -> Quarter {
        Quarter(self.0 + n)
    }
}

impl fmt::Display for Quarter {
    /// `YYYYQn`, the year in four digits as the parser takes it: a message
    /// quotes `"0000Q1"` as written, not as `"0Q1"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}Q{}", self.year(), self.q())
    }
}

/// Why a quarter string did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterParseError(pub String);

impl fmt::Display for QuarterParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        // A lowercase `q` is the one misspelling with an obvious fix.
        match s.replacen('q', "Q", 1).parse::<Quarter>() {
            Ok(q) => write!(
                f,
                "{s:?} is not a quarter: write quarters as \"{q}\", with a capital Q"
            ),
            Err(_) => write!(
                f,
                "{s:?} is not a quarter: write it as YYYYQn with n from 1 to 4, e.g. \"2014Q1\""
            ),
        }
    }
}

impl std::error::Error for QuarterParseError {}

impl FromStr for Quarter {
    type Err = QuarterParseError;
    fn from_str(s: &str) -> Result<Quarter, QuarterParseError> {
        let err = || QuarterParseError(s.to_string());
        // One spelling only: a lowercase `q` would let "2014q1" and
        // "2014Q1" stand for one quarter as two keys of a table
        // (`buyers.*.procedure`), two `--set` paths or two sweep values.
        let (y, q) = s.split_once('Q').ok_or_else(err)?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        // Exactly one digit, 1 to 4 (not "01" or "+1").
        let q = match q.as_bytes() {
            [d @ b'1'..=b'4'] => u32::from(d - b'0'),
            _ => return Err(err()),
        };
        Ok(Quarter::new(year, q))
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Quarter;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quarter such as \"2014Q1\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quarter, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_arithmetic() {
        let q: Quarter = "2022Q1".parse().unwrap();
        assert_eq!(q.year(), 2022);
        assert_eq!(q.q(), 1);
        assert_eq!(q.plus(3).to_string(), "2022Q4");
        assert_eq!(q.plus(4).to_string(), "2023Q1");
        assert_eq!(q.plus(-1).to_string(), "2021Q4");
        let a: Quarter = "2010Q1".parse().unwrap();
        assert_eq!(q.0 - a.0, 48);
    }

    #[test]
    fn an_early_year_is_shown_in_four_digits_as_written() {
        for s in ["0000Q1", "0099Q4", "0999Q2"] {
            assert_eq!(s.parse::<Quarter>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_quarters() {
        for s in [
            "2022",
            "2022Q5",
            "2022Q0",
            "22Q1",
            "Q1",
            "2022Qx",
            "",
            "2022Q01",
            "2022Q+1",
            "14Q1",
            "2014-1",
            "2014Q12",
            "2014Q+",
            "２０14Q1",
            "2014q1",
        ] {
            assert!(s.parse::<Quarter>().is_err(), "{s}");
        }
        assert_eq!(
            "2014Q5".parse::<Quarter>().unwrap_err().to_string(),
            "\"2014Q5\" is not a quarter: write it as YYYYQn with n from 1 to 4, e.g. \"2014Q1\""
        );
    }

    /// A lowercase `q` is refused with the one spelling to write: accepted,
    /// "2014q1" and "2014Q1" were two keys of one quarter in a table.
    #[test]
    fn a_lowercase_q_is_refused_with_the_spelling_to_write() {
        assert_eq!(
            "2014q1".parse::<Quarter>().unwrap_err().to_string(),
            "\"2014q1\" is not a quarter: write quarters as \"2014Q1\", with a capital Q"
        );
        assert_eq!(
            "2014q5".parse::<Quarter>().unwrap_err().to_string(),
            "\"2014q5\" is not a quarter: write it as YYYYQn with n from 1 to 4, e.g. \"2014Q1\""
        );
    }

    #[test]
    fn quarters_in_toml() {
        let v: Quarter = toml::Value::String("2014Q3".into()).try_into().unwrap();
        assert_eq!(v, Quarter::new(2014, 3));
        assert_eq!(toml::Value::try_from(v).unwrap().as_str(), Some("2014Q3"));
        let e = toml::Value::String("2014q3".into())
            .try_into::<Quarter>()
            .unwrap_err();
        assert!(e.to_string().contains("with a capital Q"), "{e}");
        let e = toml::Value::Integer(2014)
            .try_into::<Quarter>()
            .unwrap_err();
        assert!(e.to_string().contains("a quarter such as"), "{e}");
    }
}
