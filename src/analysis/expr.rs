//! Conditions over named numeric columns, for `--where`:
//! `focus_value_2022 >= 6231 and focus_value_2022 <= 18693`.
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := not ("and" not)*
//! not        := "not" not | "(" condition ")" | comparison
//! comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
//! operand    := "-" operand | number | "true" | "false" | column
//! number     := digits ["." digits] [("e" | "E") ["+" | "-"] digits]   (or "." digits ...)
//! column     := name | "`" any character but "`", one or more "`"
//! name       := (letter | "_") (letter | digit | "_" | ".")*   (a CSV's headers may have dots)
//! ```
//!
//! Letters and digits are Unicode's (`kör_2022_pass`). A column whose name
//! holds another character, starts with a digit or is a keyword is written
//! in backticks, as pandas' `query` has it: `` `kor-2022_pass` == 1 ``.
//!
//! Keywords are lower case; `true` and `false` are 1 and 0, as the
//! `true`/`false` cells of a `_pass` column are read. A comparison with a NaN operand is false, `!=`
//! included, so a row with a missing value meets no comparison on it; `not`
//! still negates that false (`not (x > 5)` holds when x is NaN).
//!
//! Errors give the 1-based column of the offending character in the
//! condition, and suggest the nearest known column for an unknown one.

use thiserror::Error;

/// What went wrong in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExprErrorKind {
    /// A character that starts no token.
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    /// A single `=`.
    #[error("'=' is not an operator (did you mean '=='?)")]
    SingleEquals,
    /// `&&`, `||` or `!` in place of a keyword.
    #[error("'{found}' is not an operator (use '{keyword}')")]
    SymbolForKeyword {
        /// What was written.
        found: String,
        /// The keyword meant.
        keyword: &'static str,
    },
    /// A number that does not parse, such as `1e` or `12ab`.
    #[error("malformed number '{0}'")]
    BadNumber(String),
    /// A number too large for a 64-bit float, such as `1e999`: it would be
    /// compared as infinity.
    #[error("number '{0}' is too large (more than about 1.8e308): write a finite number")]
    NumberTooLarge(String),
    /// A number too small for a 64-bit float, such as `1e-999`: it would
    /// be compared as 0 (`x >= 1e-999` would hold for x = 0).
    #[error("number '{0}' is too small (less than about 4.9e-324): write 0 or a larger number")]
    NumberTooSmall(String),
    /// The condition ended too early.
    #[error("unexpected end of condition, expected {0}")]
    UnexpectedEnd(&'static str),
    /// A token where another was expected.
    #[error("unexpected '{found}', expected {expected}")]
    Unexpected {
        /// The token found.
        found: String,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// `a < b < c`.
    #[error("comparisons cannot be chained: join them with 'and'")]
    ChainedComparison,
    /// A `(` without its `)`.
    #[error("'(' is never closed")]
    UnclosedParen,
    /// Parentheses, `not` or `-` nested deeper than [`MAX_DEPTH`].
    #[error("nested more than {MAX_DEPTH} deep (parentheses, 'not' or '-'): write it flatter")]
    TooDeep,
    /// More than [`MAX_JOINS`] `and` and `or`.
    #[error("more than {MAX_JOINS} 'and' and 'or': write a shorter condition")]
    TooLong,
    /// A column that is not in the table.
    #[error("unknown column '{name}'{}", suggestion_text(.suggestion, .quoted))]
    UnknownColumn {
        /// The name written.
        name: String,
        /// The nearest known column, if one is close.
        suggestion: Option<String>,
        /// A column of the table written in backticks (its name holds
        /// another character than a bare name may), to show the form.
        quoted: Option<String>,
    },
    /// A bare name running into a character a bare name cannot hold,
    /// such as `kor-2022_pass` (read as `kor`, `-`, a malformed number).
    #[error(
        "'{0}' is not a bare column name (letters, digits, '_' and '.'): write a name holding other characters in backticks, `{0}`"
    )]
    NeedsBackticks(String),
    /// A `` ` `` without its closing `` ` ``.
    #[error("'`' is never closed: a column name in backticks ends with another '`'")]
    UnclosedBacktick,
    /// Two backticks with nothing between them.
    #[error("'``' names no column: write the column's name between the backticks")]
    EmptyQuoted,
}

fn suggestion_text(s: &Option<String>, quoted: &Option<String>) -> String {
    match (s, quoted) {
        (Some(s), _) if needs_backticks(s) => format!(" (did you mean `{s}`?)"),
        (Some(s), _) => format!(" (did you mean '{s}'?)"),
        (None, Some(q)) => format!(
            " (a name holding other characters than letters, digits, '_' and '.' is written in backticks, as `{q}`)"
        ),
        (None, None) => String::new(),
    }
}

/// Whether a character may be part of a bare column name.
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Whether a column is named in a condition only in backticks: its name
/// is empty, starts with neither a letter nor `_`, holds another character
/// than a letter, a digit, `_` or `.`, or is a keyword.
pub fn needs_backticks(name: &str) -> bool {
    !name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        || !name.chars().all(name_char)
        || matches!(name, "and" | "or" | "not" | "true" | "false")
}

/// An invalid condition: where (1-based character column) and what.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("at column {column}: {kind}")]
pub struct ExprError {
    /// The 1-based character column in the condition.
    pub column: usize,
    /// What went wrong.
    pub kind: ExprErrorKind,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// Compare; false whenever an operand is NaN.
    fn holds(self, a: f64, b: f64) -> bool {
        if a.is_nan() || b.is_nan() {
            return false;
        }
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64, String),
    Ident(String),
    /// A column name in backticks (without them).
    Quoted(String),
    Cmp(CmpOp),
    And,
    Or,
    Not,
    Minus,
    LParen,
    RParen,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Number(_, s) | Token::Ident(s) => s.clone(),
            Token::Quoted(s) => format!("`{s}`"),
            Token::Cmp(op) => op.symbol().to_string(),
            Token::And => "and".into(),
            Token::Or => "or".into(),
            Token::Not => "not".into(),
            Token::Minus => "-".into(),
            Token::LParen => "(".into(),
            Token::RParen => ")".into(),
        }
    }
}

fn err(column: usize, kind: ExprErrorKind) -> ExprError {
    ExprError { column, kind }
}

/// Split `src` into tokens with their 1-based character columns.
fn lex(src: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    // What may follow a bare name: a space, an operator, a parenthesis.
    let ends_name = |c: char| c.is_whitespace() || "()<>=!&|`".contains(c);
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push((col, Token::LParen));
                i += 1;
            }
            ')' => {
                out.push((col, Token::RParen));
                i += 1;
            }
            '-' => {
                out.push((col, Token::Minus));
                i += 1;
            }
            '<' | '>' => {
                let eq = next == Some('=');
                let op = match (c, eq) {
                    ('<', true) => CmpOp::Le,
                    ('<', false) => CmpOp::Lt,
                    ('>', true) => CmpOp::Ge,
                    _ => CmpOp::Gt,
                };
                out.push((col, Token::Cmp(op)));
                i += if eq { 2 } else { 1 };
            }
            '=' => {
                if next == Some('=') {
                    out.push((col, Token::Cmp(CmpOp::Eq)));
                    i += 2;
                } else {
                    return Err(err(col, ExprErrorKind::SingleEquals));
                }
            }
            '!' => {
                if next == Some('=') {
                    out.push((col, Token::Cmp(CmpOp::Ne)));
                    i += 2;
                } else {
                    return Err(err(
                        col,
                        ExprErrorKind::SymbolForKeyword {
                            found: "!".into(),
                            keyword: "not",
                        },
                    ));
                }
            }
            '&' | '|' => {
                let doubled = next == Some(c);
                let found = if doubled {
                    format!("{c}{c}")
                } else {
                    c.to_string()
                };
                let keyword = if c == '&' { "and" } else { "or" };
                return Err(err(col, ExprErrorKind::SymbolForKeyword { found, keyword }));
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                if i < chars.len() && chars[i] == '.' {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let mut ok = true;
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    i += 1;
                    if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                        i += 1;
                    }
                    let digits = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    ok = i > digits;
                }
                // A number runs into a word: `12ab`, `1e5x`.
                while i < chars.len() && (word(chars[i]) || chars[i] == '.') {
                    ok = false;
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let value = if ok { text.parse::<f64>().ok() } else { None };
                match value {
                    Some(v) if v.is_infinite() => {
                        return Err(err(col, ExprErrorKind::NumberTooLarge(text)));
                    }
                    // Non-zero digits read as 0: below the smallest float.
                    Some(v)
                        if v == 0.0
                            && text
                                .split(['e', 'E'])
                                .next()
                                .is_some_and(|m| m.contains(|c: char| matches!(c, '1'..='9'))) =>
                    {
                        return Err(err(col, ExprErrorKind::NumberTooSmall(text)));
                    }
                    Some(v) => out.push((col, Token::Number(v, text))),
                    None => return Err(err(col, ExprErrorKind::BadNumber(text))),
                }
            }
            '`' => {
                let start = i + 1;
                let Some(len) = chars[start..].iter().position(|&c| c == '`') else {
                    return Err(err(col, ExprErrorKind::UnclosedBacktick));
                };
                if len == 0 {
                    return Err(err(col, ExprErrorKind::EmptyQuoted));
                }
                let name: String = chars[start..start + len].iter().collect();
                out.push((col, Token::Quoted(name)));
                i = start + len + 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && name_char(chars[i]) {
                    i += 1;
                }
                // `kor-2022_pass`, `kör/2022`: a name the user meant whole.
                if i < chars.len() && !ends_name(chars[i]) {
                    while i < chars.len() && !ends_name(chars[i]) {
                        i += 1;
                    }
                    let text: String = chars[start..i].iter().collect();
                    return Err(err(col, ExprErrorKind::NeedsBackticks(text)));
                }
                let text: String = chars[start..i].iter().collect();
                let token = match text.as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    // `all_pass == true` as runs.csv writes it: it was an
                    // unknown column 'true'.
                    "true" => Token::Number(1.0, text),
                    "false" => Token::Number(0.0, text),
                    _ => Token::Ident(text),
                };
                out.push((col, token));
            }
            other => return Err(err(col, ExprErrorKind::UnexpectedChar(other))),
        }
    }
    Ok(out)
}

/// An operand as parsed: a number or a column name, possibly negated.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Number(f64),
    Column { name: String, at: usize },
    Neg(Box<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// Two or more terms joined by `or`, in the order written: a flat
    /// list, so that a long chain does not nest the tree (and the stack
    /// of every walk over it) one level per `or`.
    Or(Vec<Node>),
    /// Two or more terms joined by `and`, in the order written.
    And(Vec<Node>),
    Not(Box<Node>),
    Cmp(Operand, CmpOp, Operand),
}

/// The deepest nesting a condition may have: parsing, evaluating and
/// dropping it recurse once per level, and thousands of levels overflow
/// the stack.
pub const MAX_DEPTH: usize = 100;

/// The most `and` and `or` a condition may hold: a longer one is not a
/// condition a person wrote, and it is evaluated on every row.
pub const MAX_JOINS: usize = 1000;

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
    /// Levels of nesting open at `pos`.
    depth: usize,
    /// `and` and `or` read so far.
    joins: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(c, _)| *c)
    }

    fn unexpected(&self, expected: &'static str) -> ExprError {
        match self.tokens.get(self.pos) {
            Some((c, t)) => err(
                *c,
                ExprErrorKind::Unexpected {
                    found: t.text(),
                    expected,
                },
            ),
            None => err(self.end, ExprErrorKind::UnexpectedEnd(expected)),
        }
    }

    /// Step over an `and` or `or`, or refuse the condition there.
    fn join(&mut self) -> Result<(), ExprError> {
        if self.joins == MAX_JOINS {
            return Err(err(self.column(), ExprErrorKind::TooLong));
        }
        self.joins += 1;
        self.pos += 1;
        Ok(())
    }

    fn or(&mut self) -> Result<Node, ExprError> {
        let mut terms = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.join()?;
            terms.push(self.and()?);
        }
        Ok(joined(terms, Node::Or))
    }

    fn and(&mut self) -> Result<Node, ExprError> {
        let mut terms = vec![self.not()?];
        while self.peek() == Some(&Token::And) {
            self.join()?;
            terms.push(self.not()?);
        }
        Ok(joined(terms, Node::And))
    }

    /// Run `f` one level deeper, or refuse the condition at this token.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.depth == MAX_DEPTH {
            return Err(err(self.column(), ExprErrorKind::TooDeep));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn not(&mut self) -> Result<Node, ExprError> {
        match self.peek() {
            Some(Token::Not) => self.nested(|p| {
                p.pos += 1;
                Ok(Node::Not(Box::new(p.not()?)))
            }),
            Some(Token::LParen) => self.nested(Self::parenthesised),
            _ => self.comparison(),
        }
    }

    /// `( condition )`, at its `(`.
    fn parenthesised(&mut self) -> Result<Node, ExprError> {
        let open = self.column();
        self.pos += 1;
        let inner = self.or()?;
        match self.peek() {
            Some(Token::RParen) => {
                self.pos += 1;
                Ok(inner)
            }
            None => Err(err(open, ExprErrorKind::UnclosedParen)),
            Some(_) => Err(self.unexpected("'and', 'or' or ')'")),
        }
    }

    fn comparison(&mut self) -> Result<Node, ExprError> {
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Token::Cmp(op)) => *op,
            _ => return Err(self.unexpected("a comparison (<, <=, >, >=, ==, !=)")),
        };
        self.pos += 1;
        let right = self.operand()?;
        if let Some(Token::Cmp(_)) = self.peek() {
            return Err(err(self.column(), ExprErrorKind::ChainedComparison));
        }
        Ok(Node::Cmp(left, op, right))
    }

    fn operand(&mut self) -> Result<Operand, ExprError> {
        let at = self.column();
        match self.peek().cloned() {
            Some(Token::Minus) => self.nested(|p| {
                p.pos += 1;
                Ok(Operand::Neg(Box::new(p.operand()?)))
            }),
            Some(Token::Number(v, _)) => {
                self.pos += 1;
                Ok(Operand::Number(v))
            }
            Some(Token::Ident(name) | Token::Quoted(name)) => {
                self.pos += 1;
                Ok(Operand::Column { name, at })
            }
            _ => Err(self.unexpected("a number or a column name")),
        }
    }
}

/// `terms` joined by `join`, or the one term alone.
fn joined(mut terms: Vec<Node>, join: fn(Vec<Node>) -> Node) -> Node {
    if terms.len() == 1 {
        terms.swap_remove(0)
    } else {
        join(terms)
    }
}

/// A parsed condition, not yet tied to a table's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    root: Node,
}

impl Condition {
    /// Parse a condition.
    ///
    /// # Errors
    /// [`ExprError`] with the column of the first offending character.
    pub fn parse(src: &str) -> Result<Self, ExprError> {
        let tokens = lex(src)?;
        let end = src.chars().count() + 1;
        let mut p = Parser {
            tokens,
            pos: 0,
            end,
            depth: 0,
            joins: 0,
        };
        if p.tokens.is_empty() {
            return Err(err(1, ExprErrorKind::UnexpectedEnd("a condition")));
        }
        let root = p.or()?;
        if p.pos < p.tokens.len() {
            return Err(p.unexpected("'and', 'or' or the end of the condition"));
        }
        Ok(Condition {
            source: src.to_string(),
            root,
        })
    }

    /// The condition as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The column names it uses, in order of first appearance.
    pub fn columns(&self) -> Vec<&str> {
        fn operand<'a>(o: &'a Operand, out: &mut Vec<&'a str>) {
            match o {
                Operand::Number(_) => {}
                Operand::Column { name, .. } => {
                    if !out.contains(&name.as_str()) {
                        out.push(name);
                    }
                }
                Operand::Neg(inner) => operand(inner, out),
            }
        }
        fn node<'a>(n: &'a Node, out: &mut Vec<&'a str>) {
            match n {
                Node::Or(terms) | Node::And(terms) => terms.iter().for_each(|t| node(t, out)),
                Node::Not(a) => node(a, out),
                Node::Cmp(a, _, b) => {
                    operand(a, out);
                    operand(b, out);
                }
            }
        }
        let mut out = Vec::new();
        node(&self.root, &mut out);
        out
    }

    /// Tie the condition to a table whose columns are `names`: each column
    /// it uses becomes an index into `names`.
    ///
    /// # Errors
    /// [`ExprErrorKind::UnknownColumn`] at the first unknown name, with the
    /// nearest known name when one is close.
    pub fn bind<S: AsRef<str>>(&self, names: &[S]) -> Result<BoundCondition, ExprError> {
        let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
        fn operand(o: &Operand, names: &[&str]) -> Result<BoundOperand, ExprError> {
            Ok(match o {
                Operand::Number(v) => BoundOperand::Number(*v),
                Operand::Column { name, at } => match names.iter().position(|n| n == name) {
                    Some(i) => BoundOperand::Column(i),
                    None => {
                        return Err(err(
                            *at,
                            ExprErrorKind::UnknownColumn {
                                name: name.clone(),
                                suggestion: nearest(name, names),
                                quoted: names
                                    .iter()
                                    .find(|n| needs_backticks(n))
                                    .map(|n| n.to_string()),
                            },
                        ));
                    }
                },
                Operand::Neg(inner) => BoundOperand::Neg(Box::new(operand(inner, names)?)),
            })
        }
        fn node(n: &Node, names: &[&str]) -> Result<BoundNode, ExprError> {
            Ok(match n {
                Node::Or(terms) => BoundNode::Or(bound(terms, names)?),
                Node::And(terms) => BoundNode::And(bound(terms, names)?),
                Node::Not(a) => BoundNode::Not(Box::new(node(a, names)?)),
                Node::Cmp(a, op, b) => BoundNode::Cmp(operand(a, names)?, *op, operand(b, names)?),
            })
        }
        fn bound(terms: &[Node], names: &[&str]) -> Result<Vec<BoundNode>, ExprError> {
            terms.iter().map(|t| node(t, names)).collect()
        }
        Ok(BoundCondition {
            root: node(&self.root, &names)?,
        })
    }
}

/// The known name nearest to `name`, if close enough to be a likely typo,
/// as the scenario's keys are suggested (case-insensitive Jaro-Winkler:
/// short names one letter off are found too).
fn nearest(name: &str, names: &[&str]) -> Option<String> {
    crate::scenario::error::nearest(name, names.iter().copied()).map(str::to_string)
}

#[derive(Debug, Clone, PartialEq)]
enum BoundOperand {
    Number(f64),
    Column(usize),
    Neg(Box<BoundOperand>),
}

impl BoundOperand {
    fn value(&self, lookup: &dyn Fn(usize) -> f64) -> f64 {
        match self {
            BoundOperand::Number(v) => *v,
            BoundOperand::Column(i) => lookup(*i),
            BoundOperand::Neg(inner) => -inner.value(lookup),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum BoundNode {
    Or(Vec<BoundNode>),
    And(Vec<BoundNode>),
    Not(Box<BoundNode>),
    Cmp(BoundOperand, CmpOp, BoundOperand),
}

impl BoundNode {
    fn eval(&self, lookup: &dyn Fn(usize) -> f64) -> bool {
        match self {
            BoundNode::Or(terms) => terms.iter().any(|t| t.eval(lookup)),
            BoundNode::And(terms) => terms.iter().all(|t| t.eval(lookup)),
            BoundNode::Not(a) => !a.eval(lookup),
            BoundNode::Cmp(a, op, b) => op.holds(a.value(lookup), b.value(lookup)),
        }
    }
}

/// A condition tied to a table's columns, ready to evaluate row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundCondition {
    root: BoundNode,
}

impl BoundCondition {
    /// Evaluate on a row given by `lookup`: column index (into the names
    /// given to [`Condition::bind`]) to value; NaN for a missing value.
    pub fn eval_with(&self, lookup: impl Fn(usize) -> f64) -> bool {
        self.root.eval(&lookup)
    }

    /// Evaluate on a row holding one value per bound column name.
    ///
    /// # Panics
    /// If `row` is shorter than the names given to [`Condition::bind`].
    pub fn eval(&self, row: &[f64]) -> bool {
        self.root.eval(&|i| row[i])
    }

    /// The columns the condition reads, as indices into the names given
    /// to [`Condition::bind`], each once, in increasing order.
    pub fn columns(&self) -> Vec<usize> {
        fn operand(o: &BoundOperand, out: &mut Vec<usize>) {
            match o {
                BoundOperand::Number(_) => {}
                BoundOperand::Column(i) => out.push(*i),
                BoundOperand::Neg(inner) => operand(inner, out),
            }
        }
        fn node(n: &BoundNode, out: &mut Vec<usize>) {
            match n {
                BoundNode::Or(terms) | BoundNode::And(terms) => {
                    terms.iter().for_each(|t| node(t, out));
                }
                BoundNode::Not(a) => node(a, out),
                BoundNode::Cmp(a, _, b) => {
                    operand(a, out);
                    operand(b, out);
                }
            }
        }
        let mut out = Vec::new();
        node(&self.root, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Parse `src` and bind it to `names` in one step.
///
/// # Errors
/// As [`Condition::parse`] and [`Condition::bind`].
pub fn compile<S: AsRef<str>>(src: &str, names: &[S]) -> Result<BoundCondition, ExprError> {
    Condition::parse(src)?.bind(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["focus_value_2022", "targets_passed", "x"];

    fn eval(src: &str, row: [f64; 3]) -> bool {
        compile(src, &NAMES).unwrap().eval(&row)
    }

    fn error(src: &str) -> String {
        compile(src, &NAMES).unwrap_err().to_string()
    }

    /// Ten thousand parentheses overflowed the stack (the process
    /// aborted), and so did 20,000 `or`; nesting is refused past
    /// [`MAX_DEPTH`] and joins past [`MAX_JOINS`], at the token too many.
    #[test]
    fn deep_nesting_is_refused_and_long_chains_run() {
        let nested = |n: usize, closed: bool| {
            let close = if closed { ")".repeat(n) } else { String::new() };
            format!("{}x > 2{close}", "(".repeat(n))
        };
        assert!(eval(&nested(MAX_DEPTH, true), [0.0, 0.0, 3.0]));
        let too_deep = format!(
            "at column {}: nested more than {MAX_DEPTH} deep (parentheses, 'not' or '-'): write it flatter",
            MAX_DEPTH + 1
        );
        for src in [
            nested(MAX_DEPTH + 1, true),
            nested(10_000, true),
            nested(10_000, false),
            format!("{}x > 2", "not ".repeat(10_000)),
        ] {
            let e = compile(&src, &NAMES).unwrap_err();
            assert!(e.to_string().contains("nested more than"), "{e}");
        }
        assert!(error(&nested(MAX_DEPTH + 1, true)).starts_with(&too_deep));
        assert!(error(&format!("x > {}1", "-".repeat(10_000))).contains("nested more than"));
        let chain = |n: usize| vec!["x > 5"; n].join(" or ") + " or x > 2";
        assert!(eval(&chain(MAX_JOINS), [0.0, 0.0, 3.0]));
        // A chain is one flat level however long: parsed, bound, evaluated
        // and dropped in 64 KiB of stack, in a debug build too.
        let small_stack = std::thread::Builder::new().stack_size(64 * 1024);
        let long = chain(MAX_JOINS).replace(" or x > 2", " and x > 2");
        let ran = small_stack.spawn(move || eval(&long, [0.0, 0.0, 3.0]));
        assert!(!ran.unwrap().join().unwrap());
        assert!(
            error(&chain(20_000))
                .ends_with("more than 1000 'and' and 'or': write a shorter condition"),
            "{}",
            error(&chain(20_000))
        );
    }

    #[test]
    fn range_condition() {
        let c = "focus_value_2022 >= 6231 and focus_value_2022 <= 18693";
        assert!(eval(c, [6231.0, 0.0, 0.0]));
        assert!(eval(c, [18693.0, 0.0, 0.0]));
        assert!(!eval(c, [6230.9, 0.0, 0.0]));
        assert!(!eval(c, [18693.5, 0.0, 0.0]));
        assert!(eval("targets_passed >= 20", [0.0, 20.0, 0.0]));
        assert!(!eval("targets_passed >= 20", [0.0, 19.0, 0.0]));
    }

    #[test]
    fn all_operators() {
        let r = [1.0, 2.0, 3.0];
        assert!(eval("x < 4", r) && !eval("x < 3", r));
        assert!(eval("x <= 3", r) && !eval("x <= 2.9", r));
        assert!(eval("x > 2", r) && !eval("x > 3", r));
        assert!(eval("x >= 3", r) && !eval("x >= 3.1", r));
        assert!(eval("x == 3", r) && !eval("x == 2", r));
        assert!(eval("x != 2", r) && !eval("x != 3", r));
        // Column against column, and a number on the left.
        assert!(eval("targets_passed < x", r));
        assert!(eval("2.5 < x", r));
    }

    #[test]
    fn precedence_not_and_or() {
        // `or` binds loosest: a or (b and c).
        let r = [1.0, 0.0, 0.0];
        assert!(eval("focus_value_2022 == 1 or x == 1 and x == 2", r));
        assert!(!eval("(focus_value_2022 == 1 or x == 1) and x == 2", r));
        // `not` binds tighter than `and`.
        assert!(!eval("not x == 0 and x == 0", r));
        assert!(eval("not (x == 1 and x == 0)", r));
        assert!(eval("not not x == 0", r));
    }

    #[test]
    fn numbers_scientific_and_negative() {
        let r = [-2.5e-3, 1.5e4, 0.5];
        assert!(eval("focus_value_2022 == -2.5e-3", r));
        assert!(eval("targets_passed == 1.5E+4", r));
        assert!(eval("targets_passed == 15000.", r));
        assert!(eval("x == .5", r));
        assert!(eval("-x < 0", r));
        assert!(eval("focus_value_2022 > -1e-2", r));
    }

    #[test]
    fn true_and_false_are_one_and_zero() {
        let r = [1.0, 0.0, 0.5];
        assert!(eval(
            "focus_value_2022 == true and targets_passed == false",
            r
        ));
        assert!(!eval(
            "focus_value_2022 != true or targets_passed == true",
            r
        ));
        assert!(eval("x < true and x > false", r));
    }

    #[test]
    fn dotted_column_names() {
        let names = ["preferences.default.delivery", "y"];
        let c = compile("preferences.default.delivery > .5 and y == 1", &names).unwrap();
        assert!(c.eval(&[0.6, 1.0]) && !c.eval(&[0.4, 1.0]));
        assert!(compile("preferences.default.deliver > 1", &names).is_err());
    }

    #[test]
    fn columns_read_each_once_in_order() {
        let c = compile("x > 1 and (not -x < targets_passed or x == 2)", &NAMES).unwrap();
        assert_eq!(c.columns(), vec![1, 2]);
        assert_eq!(
            compile("1 < 2", &NAMES).unwrap().columns(),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn nan_comparisons_are_false() {
        let r = [f64::NAN, 0.0, 0.0];
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            assert!(!eval(&format!("focus_value_2022 {op} 1"), r), "{op}");
        }
        assert!(eval("focus_value_2022 > 1 or x == 0", r));
        assert!(eval("not (focus_value_2022 > 1)", r));
    }

    #[test]
    fn unknown_column_with_suggestion() {
        assert_eq!(
            error("focus_value_2022 >= 6231 and focus_valu_2022 <= 18693"),
            "at column 30: unknown column 'focus_valu_2022' (did you mean 'focus_value_2022'?)"
        );
        assert_eq!(
            error("Targets_Passed >= 20"),
            "at column 1: unknown column 'Targets_Passed' (did you mean 'targets_passed'?)"
        );
        assert_eq!(error("zzz > 1"), "at column 1: unknown column 'zzz'");
        // A short name one letter off (edit-distance ratios missed it).
        assert_eq!(
            error("xx > 1"),
            "at column 1: unknown column 'xx' (did you mean 'x'?)"
        );
    }

    #[test]
    fn syntax_errors_name_the_column() {
        assert_eq!(
            error("x = 1"),
            "at column 3: '=' is not an operator (did you mean '=='?)"
        );
        assert_eq!(
            error("x > 1 && x < 2"),
            "at column 7: '&&' is not an operator (use 'and')"
        );
        assert_eq!(
            error("x >"),
            "at column 4: unexpected end of condition, expected a number or a column name"
        );
        assert_eq!(
            error("x 1"),
            "at column 3: unexpected '1', expected a comparison (<, <=, >, >=, ==, !=)"
        );
        assert_eq!(
            error("1 < x < 2"),
            "at column 7: comparisons cannot be chained: join them with 'and'"
        );
        assert_eq!(error("(x > 1"), "at column 1: '(' is never closed");
        assert_eq!(
            error("x > 1)"),
            "at column 6: unexpected ')', expected 'and', 'or' or the end of the condition"
        );
        assert_eq!(error("x > 1e"), "at column 5: malformed number '1e'");
        assert_eq!(error("x > 12ab"), "at column 5: malformed number '12ab'");
        assert_eq!(error("x > 1.2.3"), "at column 5: malformed number '1.2.3'");
        // It was compared as infinity, silently.
        assert_eq!(
            error("x > 1e999"),
            "at column 5: number '1e999' is too large (more than about 1.8e308): write a finite number"
        );
        // It was compared as 0, silently: `x >= 1e-999` held for x = 0.
        assert_eq!(
            error("x >= 1e-999"),
            "at column 6: number '1e-999' is too small (less than about 4.9e-324): write 0 or a larger number"
        );
        assert_eq!(
            error("x > 0.5E-400"),
            "at column 5: number '0.5E-400' is too small (less than about 4.9e-324): write 0 or a larger number"
        );
        // Zero written any way, and the smallest floats, are numbers.
        for ok in ["x > 0e-999", "x > 0.000", "x > 5e-324", "x > 1e-320"] {
            assert!(compile(ok, &NAMES).is_ok(), "{ok}");
        }
        assert_eq!(error("x > 1 $"), "at column 7: unexpected character '$'");
        assert_eq!(
            error("   "),
            "at column 1: unexpected end of condition, expected a condition"
        );
        assert_eq!(
            error("x > 1 and"),
            "at column 10: unexpected end of condition, expected a number or a column name"
        );
        // Columns count characters, not bytes.
        assert_eq!(error("x > €"), "at column 5: unexpected character '€'");
        assert_eq!(error("é > x"), "at column 1: unknown column 'é'");
    }

    /// A target `kor-2022` gives runs.csv `kor-2022_pass`, which lexed as
    /// `kor`, `-`, a malformed number '2022_pass'; `kör_2022_pass` stopped
    /// at 'ö'. Letters and digits are Unicode's, and any name can be
    /// written in backticks, as pandas' `query` has it.
    #[test]
    fn unicode_names_and_names_in_backticks() {
        let names = ["kör_2022_pass", "kor-2022_pass", "2022_pass", "and", "x"];
        let c = compile(
            "kör_2022_pass == 1 and `kor-2022_pass` == 0 and `2022_pass` > 1 and `and` < x",
            &names,
        )
        .unwrap();
        assert!(c.eval(&[1.0, 0.0, 2.0, -1.0, 0.0]));
        assert!(!c.eval(&[1.0, 1.0, 2.0, -1.0, 0.0]));
        assert_eq!(c.columns(), vec![0, 1, 2, 3, 4]);
        // Inside backticks every character is the name's, keywords and
        // spaces too; a bare name may be written so as well.
        let c = compile("`x` >= 1 and `a b.c`<0", &["x", "a b.c"]).unwrap();
        assert!(c.eval(&[1.0, -1.0]) && !c.eval(&[0.0, -1.0]));
        let error = |src: &str| compile(src, &names).unwrap_err().to_string();
        assert_eq!(
            error("kor-2022_pass == 1"),
            "at column 1: 'kor-2022_pass' is not a bare column name (letters, digits, '_' and '.'): write a name holding other characters in backticks, `kor-2022_pass`"
        );
        assert_eq!(
            error("x > 1 and kör/2022==1"),
            "at column 11: 'kör/2022' is not a bare column name (letters, digits, '_' and '.'): write a name holding other characters in backticks, `kör/2022`"
        );
        assert_eq!(
            error("x > `kor"),
            "at column 5: '`' is never closed: a column name in backticks ends with another '`'"
        );
        assert_eq!(
            error("`` > 1"),
            "at column 1: '``' names no column: write the column's name between the backticks"
        );
        assert_eq!(
            error("x `x` == 1"),
            "at column 3: unexpected '`x`', expected a comparison (<, <=, >, >=, ==, !=)"
        );
        // An unknown name says how to write one that needs backticks.
        assert_eq!(
            compile("kor_2022_pass == 1", &["kor-2022_pass", "x"])
                .unwrap_err()
                .to_string(),
            "at column 1: unknown column 'kor_2022_pass' (did you mean `kor-2022_pass`?)"
        );
        assert_eq!(
            error("zzz == 1"),
            "at column 1: unknown column 'zzz' (a name holding other characters than letters, digits, '_' and '.' is written in backticks, as `kor-2022_pass`)"
        );
        assert_eq!(
            error("`zzz` == 1"),
            "at column 1: unknown column 'zzz' (a name holding other characters than letters, digits, '_' and '.' is written in backticks, as `kor-2022_pass`)"
        );
        for name in ["kor-2022_pass", "2022_pass", "and", "", ".x", "a b"] {
            assert!(needs_backticks(name), "{name}");
        }
        for name in ["kör_2022_pass", "_x", "preferences.default.delivery"] {
            assert!(!needs_backticks(name), "{name}");
        }
    }

    #[test]
    fn columns_in_order_of_appearance() {
        let c = Condition::parse("x > 1 or (focus_value_2022 < x and not -x == 2)").unwrap();
        assert_eq!(c.columns(), vec!["x", "focus_value_2022"]);
    }

    #[test]
    fn lookup_by_index() {
        let c = compile("x > targets_passed", &NAMES).unwrap();
        assert!(c.eval_with(|i| i as f64));
        assert!(!c.eval_with(|i| -(i as f64)));
    }
}
