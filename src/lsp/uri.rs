//! `file:` URIs ↔ paths. Only `file:` URIs name files fdlint can read; any other scheme
//! (`untitled:`) has no path.

use std::path::{Path, PathBuf};

use lsp_types::Uri;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What a path keeps as written in a URI: RFC 3986's unreserved characters and `/`.
const KEPT: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = rest.split(['?', '#']).next()?;
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    // `file:///C:/x` on Windows names `C:/x`.
    let bytes = decoded.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'/' && bytes[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded.as_ref()))
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    let absolute = std::path::absolute(path).ok()?;
    let text = absolute.to_string_lossy().replace('\\', "/");
    let slash = if text.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{}", utf8_percent_encode(&text, KEPT)).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_uri_names_its_decoded_path_and_other_schemes_none() {
        let uri: Uri = "file:///tmp/a%20dir/%C3%A9%231.c".parse().unwrap();
        assert_eq!(path_of(&uri), Some(PathBuf::from("/tmp/a dir/é#1.c")));
        let local: Uri = "file://localhost/tmp/b.rs".parse().unwrap();
        assert_eq!(path_of(&local), Some(PathBuf::from("/tmp/b.rs")));
        let path = PathBuf::from("/tmp/a dir/é#1.c");
        assert_eq!(uri_of(&path).map(|u| u.as_str().to_string()), Some(uri.as_str().to_string()));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(path_of(&untitled), None);
    }
}
