//! Statements and the shape of the control-flow graph.

use expect_test::expect;

use super::check;

#[test]
fn while_with_break_and_continue() {
    check(
        "void f(int n) { while (n > 0) { if (n == 3) continue; if (n == 7) break; n--; } done(); }",
        expect![[r#"
            fn f params=1 locals=[_0:n]
              bb0:
                goto bb1
              bb1 (loop head):
                if _0 > 0 then bb2 else bb3
              bb2:
                if _0 == 3 then bb4 else bb5
              bb3:
                eval call done()
                return
              bb4:
                goto bb1
              bb5:
                if _0 == 7 then bb6 else bb7
              bb6:
                goto bb3
              bb7:
                _0 = expr(_0)
                goto bb1
        "#]],
    );
}

#[test]
fn for_loop_with_declaration_and_update() {
    check(
        "void f(void) { for (int i = 0; i < 3; i++) { if (i) continue; work(i); } }",
        expect![[r#"
        fn f params=0 locals=[_0:i]
          bb0:
            _0 = 0
            goto bb1
          bb1 (loop head):
            if _0 < 3 then bb2 else bb4
          bb2:
            if _0 then bb5 else bb6
          bb3:
            _0 = expr(_0)
            goto bb1
          bb4:
            return
          bb5:
            goto bb3
          bb6:
            eval call work(_0)
            goto bb3
    "#]],
    );
}

#[test]
fn do_while_reads_until_done() {
    check(
        "void f(int fd) { char buf[8]; int n; do { n = read(fd, buf, 8); } while (n > 0); }",
        expect![[r#"
        fn f params=1 locals=[_0:fd, _1:buf, _2:n]
          bb0:
            goto bb1
          bb1 (loop head):
            _2 = call read(_0, _1, 8)
            goto bb2
          bb2:
            if _2 > 0 then bb1 else bb3
          bb3:
            return
    "#]],
    );
}

#[test]
fn assignment_in_while_condition() {
    check("void f(int fd) { int n; char buf[8]; while ((n = read(fd, buf, sizeof buf)) > 0) use(n); }", expect![[r#"
        fn f params=1 locals=[_0:fd, _1:n, _2:buf]
          bb0:
            goto bb1
          bb1 (loop head):
            _1 = call read(_0, _2, expr(_2))
            if _1 > 0 then bb2 else bb3
          bb2:
            eval call use(_1)
            goto bb1
          bb3:
            return
    "#]]);
}

#[test]
fn short_circuit_conditions() {
    check(
        "void f(int a, int b) { if (a && !b) x(); if (a || b) y(); if (!(a && b)) z(); }",
        expect![[r#"
        fn f params=2 locals=[_0:a, _1:b]
          bb0:
            if _0 then bb3 else bb2
          bb1:
            eval call x()
            goto bb2
          bb2:
            if _0 then bb4 else bb6
          bb3:
            if !(_1) then bb1 else bb2
          bb4:
            eval call y()
            goto bb5
          bb5:
            if _0 then bb9 else bb7
          bb6:
            if _1 then bb4 else bb5
          bb7:
            eval call z()
            goto bb8
          bb8:
            return
          bb9:
            if _1 then bb8 else bb7
    "#]],
    );
}

#[test]
fn goto_cleanup_label_defined_later() {
    check(
        "int f(void) { int fd = socket(AF_INET, SOCK_STREAM, 0); if (fd < 0) goto fail; if (connect(fd, 0, 0) < 0) goto fail; return fd; fail: close(fd); return -1; }",
        expect![[r#"
            fn f params=0 locals=[_0:fd, _1:$0]
              bb0:
                _0 = call socket(const AF_INET, const SOCK_STREAM, 0)
                if _0 < 0 then bb1 else bb2
              bb1:
                goto bb3
              bb2:
                _1 = call connect(_0, 0, 0)
                if _1 < 0 then bb4 else bb5
              bb3:
                eval call close(_0)
                return -1
              bb4:
                goto bb3
              bb5:
                return _0
        "#]],
    );
}

#[test]
fn ifdef_inside_body() {
    check(
        "void f(int fd) {\n#ifdef HAVE_CLOEXEC\n  set_cloexec(fd);\n#else\n  fcntl(fd, F_SETFD, FD_CLOEXEC);\n#endif\n#define UNUSED 1\n  fork();\n}\n",
        expect![[r#"
            fn f params=1 locals=[_0:fd]
              bb0:
                if ? then bb1 else bb2
              bb1:
                eval call set_cloexec(_0)
                goto bb3
              bb2:
                eval call fcntl(_0, const F_SETFD, const FD_CLOEXEC)
                goto bb3
              bb3:
                eval call fork()
                return
        "#]],
    );
}

#[test]
fn if_elif_chain_inside_body() {
    check(
        "void f(void) {\n#if A\n  a();\n#elif B\n  b();\n#endif\n  c();\n}\n",
        expect![[r#"
        fn f params=0 locals=[]
          bb0:
            if ? then bb1 else bb2
          bb1:
            eval call a()
            goto bb3
          bb2:
            if ? then bb4 else bb5
          bb3:
            eval call c()
            return
          bb4:
            eval call b()
            goto bb5
          bb5:
            goto bb3
    "#]],
    );
}

#[test]
fn shadowing_gets_distinct_locals() {
    check(
        "void f(int fd) { int x = fd; { int fd = 3; use(fd); } use(fd); }",
        expect![[r#"
        fn f params=1 locals=[_0:fd, _1:x, _2:fd]
          bb0:
            _1 = _0
            _2 = 3
            eval call use(_2)
            eval call use(_0)
            return
    "#]],
    );
}

#[test]
fn dead_code_after_return_and_break() {
    check(
        "int f(void) { return 1; dead(); while (1) { break; more(); } }",
        expect![[r#"
        fn f params=0 locals=[]
          bb0:
            return 1
          bb1:
            eval call dead()
            goto bb2
          bb2 (loop head):
            goto bb3
          bb3:
            goto bb4
          bb4:
            return
          bb5:
            eval call more()
            goto bb2
    "#]],
    );
}

#[test]
fn switch_with_default_first_and_fallthrough() {
    check(
        "void f(int x) { switch (x) { default: d(); case 1: one(); case 2: two(); break; } }",
        expect![[r#"
            fn f params=1 locals=[_0:x]
              bb0:
                if _0 == 1 then bb2 else bb5
              bb1:
                eval call d()
                goto bb2
              bb2:
                eval call one()
                goto bb3
              bb3:
                eval call two()
                goto bb4
              bb4:
                return
              bb5:
                if _0 == 2 then bb3 else bb1
        "#]],
    );
}

#[test]
fn switch_on_a_field_is_hoisted() {
    check(
        "void f(struct s *p) { switch (p->kind) { case KIND_A: a(); } }",
        expect![[r#"
        fn f params=1 locals=[_0:p, _1:$0]
          bb0:
            _1 = _0.*.kind
            if _1 == const KIND_A then bb1 else bb2
          bb1:
            eval call a()
            goto bb2
          bb2:
            return
    "#]],
    );
}

#[test]
fn functions_in_preprocessor_blocks_and_pointer_returns() {
    check(
        "#ifdef __linux__\nstatic struct conn *open_conn(const char *host, int (*cb)(int)) { return connect_to(host); }\n#else\nint other(void) { return 0; }\n#endif\n",
        expect![[r#"
            fn open_conn params=2 locals=[_0:host, _1:cb, _2:$0]
              bb0:
                _2 = call connect_to(_0)
                return _2
            fn other params=0 locals=[]
              bb0:
                return 0
        "#]],
    );
}

#[test]
fn statement_level_ternary_branches() {
    check(
        "void f(int c, int fd) { c ? close(fd) : keep(fd); }",
        expect![[r#"
        fn f params=2 locals=[_0:c, _1:fd]
          bb0:
            if _0 then bb1 else bb2
          bb1:
            eval call close(_1)
            goto bb3
          bb2:
            eval call keep(_1)
            goto bb3
          bb3:
            return
    "#]],
    );
}
