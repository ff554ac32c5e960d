//! The rules that live in the types: each file in `tests/ui` must fail to compile, with the
//! diagnostic committed beside it.

#[test]
fn builders_reject_incomplete_requests() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
