//! The scenario format's closed vocabularies: each a Rust enum whose names
//! are written once, here, and used by deserialization, messages, the
//! command line and the format reference alike.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A word that is not in a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{word}` is not one of: {}", expected.join(", "))]
pub struct UnknownWord {
    /// What was given.
    pub word: String,
    /// The vocabulary.
    pub expected: &'static [&'static str],
}

/// Defines a vocabulary enum: its variants with their names, `ALL`,
/// `NAMES`, `name()`, `Display`, `FromStr` and serde by name.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every word, in the order of the format reference.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every word's name, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The word as written in a scenario.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<$name, UnknownWord> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownWord { word: s.to_string(), expected: $name::NAMES }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                struct Words;
                impl Visitor<'_> for Words {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "one of: {}", $name::NAMES.join(", "))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse().map_err(|_| E::unknown_variant(v, $name::NAMES))
                    }
                }
                d.deserialize_str(Words)
            }
        }
    };
}

vocabulary! {
    /// How budgets are formed (`spending.mode`).
    pub enum SpendingMode {
        /// Spending and equipment shares follow the buyers' observed series.
        Observed = "observed",
        /// Shares move toward `base + response * threat`.
        Threat = "threat",
    }
}

vocabulary! {
    /// What an exogenous event does (`events.*.kind`).
    pub enum EventKind {
        /// Units of a category leave a buyer's fleet.
        Donation = "donation",
        /// Suppliers gain marketing stock with some buyers.
        Access = "access",
        /// Affinity of some buyers toward a country rises.
        Affinity = "affinity",
        /// A country's export-credit cap changes.
        CreditCap = "credit_cap",
        /// A buyer's required force in a category changes (a dated
        /// force-structure decision).
        Requirement = "requirement",
    }
}

vocabulary! {
    /// What a calibration does with a target (`targets.*.role`).
    pub enum Role {
        /// Fitted: the calibration's distance uses it.
        Fit = "fit",
        /// Held out: judged out of sample by the posterior predictive.
        Holdout = "holdout",
    }
}

impl Role {
    /// The default role.
    pub fn fit() -> Role {
        Role::Fit
    }
}

vocabulary! {
    /// The shape of a calibration prior (`calibrate.parameters.*.prior`).
    pub enum PriorKind {
        /// Uniform on [`min`, `max`].
        Uniform = "uniform",
        /// Uniform in the logarithm on [`min`, `max`] (`min` > 0).
        LogUniform = "log_uniform",
        /// Normal (`mean`, `sd`) truncated to [`min`, `max`].
        Normal = "normal",
    }
}

vocabulary! {
    /// The hypothesis a scenario stands for (`hypothesis`).
    pub enum Hypothesis {
        /// Commercial motives only: strategic mechanisms off, contested
        /// ones as `compare --contested` assigns them.
        Commercial = "commercial",
        /// Commercial and strategic motives: every mechanism on.
        Strategic = "strategic",
    }
}

vocabulary! {
    /// A procurement procedure (`buyers.*.procedure`).
    pub enum Procedure {
        /// Open competition with trials.
        Competition = "competition",
        /// Direct government-to-government award.
        Direct = "direct",
        /// Framework agreement, then executive contracts with its winner.
        Framework = "framework",
    }
}

vocabulary! {
    /// What a target measures (`targets.*.metric`).
    pub enum Metric {
        /// Contract value, US$ m.
        Value = "value",
        /// Units contracted.
        Units = "units",
        /// Number of contracts.
        Count = "count",
        /// Share of a supplier country in the scope's contract value.
        Share = "share",
        /// Share of a buyer in a supplier country's contract value in scope.
        BuyerShare = "buyer_share",
        /// Mean months from signing to promised first delivery.
        LeadPromised = "lead_promised",
        /// Mean months from signing to actual first delivery.
        LeadActual = "lead_actual",
        /// Share of a supplier country in the value delivered to the scope.
        DeliveredShare = "delivered_share",
    }
}

vocabulary! {
    /// How a sweep's points are chosen (`sweep.design`).
    pub enum DesignKind {
        /// Every combination of the parameters' listed values.
        Grid = "grid",
        /// Independent uniform points.
        Random = "random",
        /// Latin hypercube: one point per stratum in every dimension.
        Lhs = "lhs",
        /// Scrambled Sobol' low-discrepancy points (a power of two of them).
        Sobol = "sobol",
        /// Saltelli's design for Sobol' sensitivity indices (`points` base
        /// rows, a power of two).
        Saltelli = "saltelli",
        /// Morris's elementary-effect trajectories.
        Morris = "morris",
    }
}

vocabulary! {
    /// A per-run output table (`outputs.files`, `--tables`).
    pub enum Table {
        /// One row per contract.
        Contracts = "contracts",
        /// One row per replication × quarter × buyer × supplier × category
        /// with activity.
        Market = "market",
        /// One row per replication × quarter × product line.
        Suppliers = "suppliers",
        /// One row per replication × quarter × buyer × category.
        Buyers = "buyers",
        /// One row per quarter × buyer: what no replication changes
        /// (threat, budget, region, NATO membership), written once.
        Exogenous = "exogenous",
        /// One row per replication: the run's summary.
        Summary = "summary",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for t in Table::ALL {
            assert_eq!(t.name().parse::<Table>(), Ok(*t));
            let v: toml::Value = toml::Value::try_from(t).unwrap();
            assert_eq!(v, toml::Value::String(t.to_string()));
            assert_eq!(v.try_into::<Table>().unwrap(), *t);
        }
        assert_eq!(EventKind::CreditCap.name(), "credit_cap");
        assert_eq!(Metric::NAMES.len(), Metric::ALL.len());
    }

    #[test]
    fn an_unknown_word_lists_the_vocabulary() {
        let e = "sumary".parse::<Table>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "`sumary` is not one of: contracts, market, suppliers, buyers, exogenous, summary"
        );
        let e = toml::Value::String("thret".into())
            .try_into::<SpendingMode>()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown variant `thret`, expected `observed` or `threat`"),
            "{e}"
        );
    }
}
