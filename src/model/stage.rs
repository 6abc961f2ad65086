//! Where a buyer's procurement of one category stands: idle until a
//! review, a tender under way, or a framework being called off.

/// Where a buyer's procurement of one category stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// No tender under way; the next review is at `review` (quarter index).
    Idle {
        /// First quarter the category is reviewed again.
        review: usize,
    },
    /// A tender opened for a requirement; offers are taken and the choice
    /// made at `decide`.
    Open {
        /// Quarter index of the decision.
        decide: usize,
    },
    /// A framework agreement with one line: executive contracts call off
    /// up to `units` more, the next at `call`, until `until`.
    Framework {
        /// Line index of the framework's winner.
        line: usize,
        /// Units still covered.
        units: u32,
        /// Quarter index of the next executive contract.
        call: usize,
        /// Last quarter index the framework is open.
        until: usize,
    },
}
