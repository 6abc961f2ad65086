//! Integration tests, in one binary (one link): the real `armsmarket`
//! binary in temporary directories, and the library's public API.

mod common;

mod allocations;
mod bad_input;
mod behaviour;
mod calibrate;
mod cli;
mod compare;
mod discover;
mod golden;
mod invariants;
mod ishigami;
mod outputs;
mod parity;
mod prim_bryant;
mod prim_ema_parity;
mod prim_known_box;
mod report;
mod run;
mod scenarios;
mod sensitivity;
mod slurm;
mod sweep;
