//! The request rules that live in the types: each case under `tests/ui/` must fail to compile with the
//! committed `.stderr`. One test function runs them all (trybuild is slow).

#[test]
fn request_rules_are_enforced_by_the_compiler() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
