//! `use` resolution: aliases, groups, globs, modules and function bodies.

use expect_test::expect;

use super::check;

#[test]
fn aliases_groups_and_self() {
    check(
        r#"
use std::os::unix::net::UnixStream as US;
use nix::unistd::{self, fork as nix_fork};
use ::std::net::TcpStream;
use libc;
fn f() {
    US::connect(p);
    unistd::fork();
    nix_fork();
    TcpStream::connect(a);
    libc::fork();
    ::std::process::exit(1);
    Vec::<u8>::new();
    crate::db::connect();
    my_mod::connect();
}
"#,
        expect![[r#"
            fn f params=0 locals=[]
              bb0:
                eval call std::os::unix::net::UnixStream::connect(global p)
                eval call nix::unistd::fork()
                eval call nix::unistd::fork()
                eval call std::net::TcpStream::connect(global a)
                eval call libc::fork()
                eval call std::process::exit(1)
                eval call Vec::new()
                eval call crate::db::connect()
                eval call my_mod::connect()
                return
        "#]],
    );
}

#[test]
fn globs_modules_and_body_uses() {
    check(
        r#"
use nix::unistd::*;
use std::net::TcpStream;
mod child {
    use super::*;
    use std::os::unix::net::*;
    fn a() { TcpStream::connect(x); }
}
mod other {
    fn b() { TcpStream::connect(x); }
}
fn c() {
    let s = UnixStream::connect(p);
    use std::os::unix::net::UnixStream;
}
"#,
        expect![[r#"
            use nix::unistd::*
            use std::os::unix::net::*
            fn a params=0 locals=[]
              bb0:
                eval call std::net::TcpStream::connect(global x)
                return
            fn b params=0 locals=[]
              bb0:
                eval call TcpStream::connect(global x)
                return
            fn c params=0 locals=[_0:s]
              bb0:
                _0 = call std::os::unix::net::UnixStream::connect(global p)
                scope_end _0
                return
        "#]],
    );
}

#[test]
fn methods_see_self_and_their_own_body_uses() {
    check(
        r#"
use std::net::TcpStream as Tcp;
struct Server;
impl Server {
    fn a() { Self::helper(); Tcp::connect(x); }
    fn b() {
        use std::os::unix::net::UnixStream as Tcp;
        Self::helper();
        Tcp::connect(x);
        fn inner() { Tcp::connect(y); Self::nested(); }
    }
}
"#,
        expect![[r#"
            fn Server::a params=0 locals=[]
              bb0:
                eval call Server::helper()
                eval call std::net::TcpStream::connect(global x)
                return
            fn Server::b params=0 locals=[]
              bb0:
                eval call Server::helper()
                eval call std::os::unix::net::UnixStream::connect(global x)
                return
            fn inner params=0 locals=[]
              bb0:
                eval call std::os::unix::net::UnixStream::connect(global y)
                eval call Server::nested()
                return
        "#]],
    );
}
