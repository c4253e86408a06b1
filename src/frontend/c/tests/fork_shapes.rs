//! Every way C code tells the child from the parent after `fork()`.

use expect_test::expect;

use super::check;

#[test]
fn pid_equals_zero() {
    check(
        "void f(void) { pid_t pid = fork(); if (pid == 0) child(); else parent(); }",
        expect![[r#"
        fn f params=0 locals=[_0:pid]
          bb0:
            _0 = call fork()
            if _0 == 0 then bb1 else bb2
          bb1:
            eval call child()
            goto bb3
          bb2:
            eval call parent()
            goto bb3
          bb3:
            return
    "#]],
    );
}

#[test]
fn not_fork() {
    check(
        "void f(void) { if (!fork()) { child(); exit(0); } parent(); }",
        expect![[r#"
        fn f params=0 locals=[_0:$0]
          bb0:
            _0 = call fork()
            if !(_0) then bb1 else bb2
          bb1:
            eval call child()
            eval call exit(0)
            goto bb2
          bb2:
            eval call parent()
            return
    "#]],
    );
}

#[test]
fn fork_truthy() {
    check(
        "void f(void) { if (fork()) parent(); }",
        expect![[r#"
        fn f params=0 locals=[_0:$0]
          bb0:
            _0 = call fork()
            if _0 then bb1 else bb2
          bb1:
            eval call parent()
            goto bb2
          bb2:
            return
    "#]],
    );
}

#[test]
fn assign_in_condition_with_else_if_chain() {
    check(
        "void f(void) { pid_t pid; if ((pid = fork()) < 0) { perror(\"fork\"); } else if (pid == 0) { child(); } else { parent(pid); } }",
        expect![[r#"
            fn f params=0 locals=[_0:pid]
              bb0:
                _0 = call fork()
                if _0 < 0 then bb1 else bb2
              bb1:
                eval call perror("fork")
                goto bb3
              bb2:
                if _0 == 0 then bb4 else bb5
              bb3:
                return
              bb4:
                eval call child()
                goto bb6
              bb5:
                eval call parent(_0)
                goto bb6
              bb6:
                goto bb3
        "#]],
    );
}

#[test]
fn pid_greater_than_zero_and_not_zero() {
    check(
        "void f(void) { int pid = fork(); if (pid > 0) parent(); if (pid != 0) parent(); }",
        expect![[r#"
        fn f params=0 locals=[_0:pid]
          bb0:
            _0 = call fork()
            if _0 > 0 then bb1 else bb2
          bb1:
            eval call parent()
            goto bb2
          bb2:
            if _0 != 0 then bb3 else bb4
          bb3:
            eval call parent()
            goto bb4
          bb4:
            return
    "#]],
    );
}

#[test]
fn switch_on_fork() {
    check(
        "void f(void) { switch (fork()) { case -1: perror(\"fork\"); break; case 0: child(); _exit(0); default: parent(); } done(); }",
        expect![[r#"
            fn f params=0 locals=[_0:$0]
              bb0:
                _0 = call fork()
                if _0 == -1 then bb1 else bb5
              bb1:
                eval call perror("fork")
                goto bb4
              bb2:
                eval call child()
                eval call _exit(0)
                goto bb3
              bb3:
                eval call parent()
                goto bb4
              bb4:
                eval call done()
                return
              bb5:
                if _0 == 0 then bb2 else bb3
        "#]],
    );
}

#[test]
fn pid_stored_and_tested_later() {
    check(
        "void f(int fd) { pid_t child = fork(); prepare(fd); if (child == 0) { close(fd); } }",
        expect![[r#"
            fn f params=1 locals=[_0:fd, _1:child]
              bb0:
                _1 = call fork()
                eval call prepare(_0)
                if _1 == 0 then bb1 else bb2
              bb1:
                eval call close(_0)
                goto bb2
              bb2:
                return
        "#]],
    );
}

#[test]
fn child_exits_then_parent_code() {
    check(
        "void f(int fd) { pid_t pid = fork(); if (pid == 0) { execl(\"/bin/sh\", \"sh\", NULL); _exit(0); } close(fd); waitpid(pid, NULL, 0); }",
        expect![[r#"
            fn f params=1 locals=[_0:fd, _1:pid]
              bb0:
                _1 = call fork()
                if _1 == 0 then bb1 else bb2
              bb1:
                eval call execl("/bin/sh", "sh", const NULL)
                eval call _exit(0)
                goto bb2
              bb2:
                eval call close(_0)
                eval call waitpid(_1, const NULL, 0)
                return
        "#]],
    );
}
