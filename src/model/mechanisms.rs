//! The mechanism registry: every mechanism of the market by name, with the
//! class of motive it stands for and an on/off switch.
//!
//! The verdict compares a commercial-only world with a strategic one, so
//! what counts as commercial must be settled before any result is seen.
//! Each mechanism is classed here once: `commercial` (a buyer or firm
//! acting on price, delivery, quality, logistics, financing or industrial
//! return), `strategic` (political alignment), or `contested` (a
//! government act that serves trade and policy alike, which a reader may
//! call either). `compare --contested` reports the verdict under each
//! assignment of the contested ones. A scenario switches a mechanism off
//! with `mechanisms.<name> = false`.

use serde::{Deserialize, Serialize};

/// The motive a mechanism stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Commerce: price, delivery, quality, logistics, finance, industry.
    Commercial,
    /// Politics: alignment between buyer and supplier country.
    Strategic,
    /// Either, depending on the reader.
    Contested,
}

impl Class {
    /// The name used in scenario files and tables.
    pub fn name(self) -> &'static str {
        match self {
            Class::Commercial => "commercial",
            Class::Strategic => "strategic",
            Class::Contested => "contested",
        }
    }
}

/// Defines [`Mechanisms`] (one switch per mechanism, on by default) and
/// [`REGISTRY`] from one list, so that a switch cannot lack its entry.
macro_rules! registry {
    ($($name:ident: $class:ident, $about:literal;)*) => {
        /// Which mechanisms run. Every switch defaults to on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Mechanisms {
            $(
                #[doc = $about]
                pub $name: bool,
            )*
        }

        impl Default for Mechanisms {
            fn default() -> Self {
                Mechanisms { $($name: true,)* }
            }
        }

        /// Every mechanism, its class and what it does. The classes were
        /// fixed before any verdict was computed; the reasons are in
        /// docs/ODD.md.
        pub const REGISTRY: &[Entry] = &[
            $(Entry { name: stringify!($name), class: Class::$class, about: $about },)*
        ];

        impl Mechanisms {
            fn slot(&mut self, name: &str) -> Option<&mut bool> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)*
                    _ => None,
                }
            }
        }
    };
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Name, as in `mechanisms.<name>`.
    pub name: &'static str,
    /// Its class.
    pub class: Class,
    /// What it is, in a line.
    pub about: &'static str,
}

registry! {
    diversion: Contested,
        "Home governments hand urgent export buyers production slots of their own forces' orders.";
    second_hand: Contested,
        "Governments sell surplus and second-hand units from their stocks.";
    upgrades: Commercial,
        "Buyers may upgrade legacy units instead of buying new ones.";
    market_access: Contested,
        "Marketing by the yearly development rule, incumbency and dated `access` events raise access.";
    domestic_preference: Contested,
        "Buyers prefer their own country's industry (w_D).";
    european_preference: Contested,
        "EU buyers prefer suppliers from EU countries (w_E).";
    g2g_awards: Contested,
        "Direct government-to-government awards, faster than open competitions.";
    affinity: Strategic,
        "Political affinity between buyer and supplier country (w_A) and the affinity events.";
    export_credit: Commercial,
        "Supplier countries finance part of a contract's value.";
    localisation: Commercial,
        "Work placed in the buyer's country, industrial participation (w_O).";
    commonality: Commercial,
        "Logistic commonality with own and neighbours' fleets (w_C).";
    capacity_investment: Commercial,
        "Firms expand capacity when their backlog is long.";
    lot_splitting: Commercial,
        "A buyer contracts what arrives in time and re-tenders the rest.";
    tender_stages: Commercial,
        "Tenders take time to decide, by procedure and urgency (part of every hypothesis).";
    warmup: Commercial,
        "Programmes signed before the start are in flight, and reviews are spread over the first year (part of every hypothesis).";
}

impl Mechanisms {
    /// The switch of a registered mechanism.
    pub fn get(&self, name: &str) -> Option<bool> {
        self.clone().slot(name).map(|s| *s)
    }

    /// Set the switch of a registered mechanism; false if there is none of
    /// that name.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        match self.slot(name) {
            Some(s) => {
                *s = on;
                true
            }
            None => false,
        }
    }

    /// Switch every mechanism of `class` on or off.
    pub fn set_class(&mut self, class: Class, on: bool) {
        for e in REGISTRY.iter().filter(|e| e.class == class) {
            self.set(e.name, on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_mechanism_has_a_switch_and_every_switch_an_entry() {
        let mut m = Mechanisms::default();
        for e in REGISTRY {
            assert_eq!(m.get(e.name), Some(true), "{}", e.name);
            assert!(m.set(e.name, false));
            assert_eq!(m.get(e.name), Some(false));
        }
        // Every field is in the registry: all off equals the struct with
        // every field false (serde lists the fields).
        let json = serde_json::to_value(m).unwrap();
        let fields = json.as_object().unwrap();
        assert_eq!(fields.len(), REGISTRY.len());
        assert!(fields.values().all(|v| v == false));
        assert_eq!(m.get("no_such"), None);
    }

    #[test]
    fn a_class_switches_together() {
        let mut m = Mechanisms::default();
        m.set_class(Class::Contested, false);
        assert!(!m.diversion && !m.second_hand && !m.g2g_awards);
        assert!(m.upgrades && m.affinity);
    }
}
