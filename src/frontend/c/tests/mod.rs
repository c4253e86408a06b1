use expect_test::{expect, Expect};

mod children;
mod control_flow;
mod errors;
mod expressions;
mod fork_shapes;
mod positions;

use super::lower;

/// Compares the IR dump of `src` with the snapshot.
fn check(src: &str, expect: Expect) {
    expect.assert_eq(&lower(src).to_string());
}

#[test]
fn seed_zookeeper_fork() {
    check(
        r#"int main(void) { zhandle_t *zh = zookeeper_init("127.0.0.1:2181", watcher, 10000, 0, 0, 0); sleep(1); fork(); sleep(60); return 0; }"#,
        expect![[r#"
            fn main params=0 locals=[_0:zh]
              bb0:
                _0 = call zookeeper_init("127.0.0.1:2181", global watcher, 10000, 0, 0, 0)
                eval call sleep(1)
                eval call fork()
                eval call sleep(60)
                return 0
        "#]],
    );
}

#[test]
fn seed_socket_close_in_parent() {
    check(
        "int main(void) { int fd = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in addr; connect(fd, (struct sockaddr *)&addr, sizeof(addr)); if (fork()) close(fd); sleep(100); return 0; }",
        expect![[r#"
            fn main params=0 locals=[_0:fd, _1:addr, _2:$0]
              bb0:
                _0 = call socket(const AF_INET, const SOCK_STREAM, 0)
                eval call connect(_0, &_1, expr(_1))
                _2 = call fork()
                if _2 then bb1 else bb2
              bb1:
                eval call close(_0)
                goto bb2
              bb2:
                eval call sleep(100)
                return 0
        "#]],
    );
}

#[test]
fn seed_child_closes_handle_fd() {
    check(
        "int main(void) { zhandle_t *zh = zookeeper_init(host, watcher, 10000, 0, 0, 0); pid_t pid = fork(); if (pid == 0) { close(*(int *)zh); for (;;) pause(); } while (1) sleep(1); }",
        expect![[r#"
            fn main params=0 locals=[_0:zh, _1:pid]
              bb0:
                _0 = call zookeeper_init(global host, global watcher, 10000, 0, 0, 0)
                _1 = call fork()
                if _1 == 0 then bb1 else bb2
              bb1:
                eval call close(_0.*)
                goto bb3
              bb2:
                goto bb7
              bb3 (loop head):
                goto bb4
              bb4:
                eval call pause()
                goto bb5
              bb5:
                goto bb3
              bb6:
                goto bb2
              bb7 (loop head):
                goto bb8
              bb8:
                eval call sleep(1)
                goto bb7
              bb9:
                unreachable
        "#]],
    );
}
