//! The legal model: instruments, provisions, requirements, assessments, scoring, diff. Pure.
