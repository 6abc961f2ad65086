//! Scenario errors that point at the offending place: `FILE:LINE:COL: message`.
//!
//! Every problem found while loading a scenario (a TOML syntax error, an
//! unknown key, a value out of range, a dangling reference, a bad `--set`)
//! becomes one [`Located`] message. A [`ScenarioError`] carries all of them,
//! sorted by place, so that a user fixes a file in one pass instead of one
//! error per run.

use std::fmt;
use std::path::PathBuf;

/// The file label of locations on the command line (`--set` arguments).
pub const COMMAND_LINE: &str = "<command line>";

/// One problem at one place in a scenario file (or on the command line).
///
/// `line` and `col` are 1-based; `col` counts characters, not bytes. A
/// `line` of 0 means no position is known (for example the file could not be
/// read at all) and the message is printed as `FILE: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Located {
    /// The file as the user named it (or `<command line>` for `--set`).
    pub file: String,
    /// 1-based line, or 0 when unknown.
    pub line: u32,
    /// 1-based column in characters, or 0 when unknown.
    pub col: u32,
    /// What is wrong and how to fix it; names the key by its dotted path.
    pub message: String,
}

impl Located {
    /// A message at `file:line:col`.
    pub fn new(file: impl Into<String>, line: u32, col: u32, message: impl Into<String>) -> Self {
        Located {
            file: file.into(),
            line,
            col,
            message: message.into(),
        }
    }

    /// A message about a whole file, with no position (`FILE: message`).
    pub fn file_only(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(file, 0, 0, message)
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        }
    }
}

/// Why a scenario could not be loaded: one or more located problems.
///
/// Displays as one `FILE:LINE:COL: message` line per problem, sorted by file,
/// line and column. The command-line tool maps it to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// Never empty; sorted and free of duplicates.
    errors: Vec<Located>,
}

impl ScenarioError {
    /// An error with a single problem.
    pub fn new(error: Located) -> Self {
        ScenarioError {
            errors: vec![error],
        }
    }

    /// An error with all of `errors`, or `None` if there are none.
    pub fn from_all(mut errors: Vec<Located>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        errors.sort();
        errors.dedup();
        Some(ScenarioError { errors })
    }

    /// The problems of several scenario files, each with the file it was
    /// found in, of `files` in all (a file given twice counts once). One
    /// located on the command line (a `--set`, which applies to every
    /// file) is said once, naming the files it is a problem in, unless it
    /// is one in all of them: the same `--set` can break a rule in one
    /// file and name a missing key in another, and two unnamed lines left
    /// the user to guess which.
    pub fn from_files(problems: Vec<(String, Located)>, files: &[PathBuf]) -> Option<Self> {
        let files = files
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let mut errors = Vec::new();
        let mut from_command_line: Vec<(Located, Vec<String>)> = Vec::new();
        for (file, problem) in problems {
            if files < 2 || problem.file != COMMAND_LINE {
                errors.push(problem);
            } else if let Some((_, of)) = from_command_line.iter_mut().find(|(p, _)| *p == problem)
            {
                if !of.contains(&file) {
                    of.push(file);
                }
            } else {
                from_command_line.push((problem, vec![file]));
            }
        }
        for (mut problem, of) in from_command_line {
            if of.len() < files {
                problem.message = format!("in {}: {}", of.join(", "), problem.message);
            }
            errors.push(problem);
        }
        Self::from_all(errors)
    }

    /// The problems, sorted by file, line and column.
    pub fn errors(&self) -> &[Located] {
        &self.errors
    }

    /// The problems, by value.
    pub fn into_errors(self) -> Vec<Located> {
        self.errors
    }

    /// One problem at `outer`'s place: `message` followed by this error's
    /// problems (`: a; b`), each with its place unless that is `outer`'s,
    /// which is then said once. How a sweep or a calibration says that a
    /// world it reaches is not valid, and why.
    pub fn within(&self, outer: &Located, message: &str) -> ScenarioError {
        let inner: Vec<String> = self
            .errors
            .iter()
            .map(|l| {
                if (&l.file, l.line, l.col) == (&outer.file, outer.line, outer.col) {
                    l.message.clone()
                } else {
                    l.to_string()
                }
            })
            .collect();
        ScenarioError::new(Located {
            message: format!("{message}: {}", inner.join("; ")),
            ..outer.clone()
        })
    }

    /// The problems as they are displayed, each file named without its
    /// folder: the same text whatever path the user typed for it (a
    /// sweep's `runs.csv` keeps it, whose bytes may not depend on that).
    pub fn by_file_name(&self) -> String {
        let named = self.errors.iter().map(|e| Located {
            file: std::path::Path::new(&e.file)
                .file_name()
                .map_or_else(|| e.file.clone(), |n| n.to_string_lossy().into_owned()),
            ..e.clone()
        });
        ScenarioError {
            errors: named.collect(),
        }
        .to_string()
    }
}

impl From<Located> for ScenarioError {
    fn from(error: Located) -> Self {
        ScenarioError::new(error)
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// The candidate closest to `word`, if it is close enough to be a plausible
/// typo: Jaro-Winkler similarity above 0.7, as clap uses for subcommands,
/// or, for a word of three letters or more, one edit away (a letter
/// changed, added, dropped, or two swapped), which Jaro-Winkler misses in
/// short words (`KRO` for `KOR` scores 0.56).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let lower = c.to_lowercase();
        let mut score = strsim::jaro_winkler(&word, &lower);
        // Not of one or two letters, which one edit turns into anything.
        if word.chars().count() >= 3 && strsim::osa_distance(&word, &lower) == 1 {
            score = score.max(0.71);
        }
        if score > 0.7 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `a, b, c`, shortened after 20 names.
pub(crate) fn list_names(names: &[&str]) -> String {
    const MAX: usize = 20;
    if names.len() <= MAX {
        names.join(", ")
    } else {
        format!("{}, ... ({} in all)", names[..MAX].join(", "), names.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_joins_sorted_lines() {
        let e = ScenarioError::from_all(vec![
            Located::new("b.toml", 1, 1, "second file"),
            Located::new("a.toml", 12, 3, "later"),
            Located::new("a.toml", 2, 9, "earlier"),
        ])
        .unwrap();
        assert_eq!(
            e.to_string(),
            "a.toml:2:9: earlier\na.toml:12:3: later\nb.toml:1:1: second file"
        );
    }

    #[test]
    fn file_only_has_no_position() {
        let e = ScenarioError::new(Located::file_only("x.toml", "cannot read: gone"));
        assert_eq!(e.to_string(), "x.toml: cannot read: gone");
    }

    #[test]
    fn empty_is_no_error() {
        assert!(ScenarioError::from_all(vec![]).is_none());
    }

    #[test]
    fn by_file_name_drops_the_folder_only() {
        let e = ScenarioError::from_all(vec![
            Located::new("../a/sweep.toml", 3, 4, "bad"),
            Located::new("<command line>", 1, 1, "worse"),
        ])
        .unwrap();
        assert_eq!(
            e.by_file_name(),
            "sweep.toml:3:4: bad\n<command line>:1:1: worse"
        );
    }

    #[test]
    fn nearest_suggests_only_close_names() {
        let names = ["capacity", "category", "quality"];
        assert_eq!(nearest("capacty", names), Some("capacity"));
        assert_eq!(nearest("eastflank", ["east", "west"]), Some("east"));
        assert_eq!(nearest("zzz", names), None);
        // Swapped letters of a three-letter code.
        assert_eq!(nearest("KRO", ["DEU", "KOR", "POL"]), Some("KOR"));
        assert_eq!(nearest("sgp", ["tank", "spg", "ifv"]), Some("spg"));
        assert_eq!(nearest("xyz", ["tank", "spg", "ifv"]), None);
    }
}
