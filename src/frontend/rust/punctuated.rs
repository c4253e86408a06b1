//! syn's `Punctuated::iter`, `first` and `last` box an iterator at every call (a heap
//! allocation and a virtual call per item); its pairs and `get` do not. The same walks
//! without the box, for the lists lowering reads most: arguments and path segments.

use syn::punctuated::{Pair, Punctuated};

pub(super) fn values<T, P>(
    list: &Punctuated<T, P>,
) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone {
    list.pairs().map(Pair::into_value)
}

pub(super) fn first<T, P>(list: &Punctuated<T, P>) -> Option<&T> {
    list.get(0)
}

pub(super) fn last<T, P>(list: &Punctuated<T, P>) -> Option<&T> {
    list.len().checked_sub(1).and_then(|index| list.get(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_items_as_punctuateds_own_walks() {
        for text in ["f()", "f(a)", "f(a, b)", "f(a, b,)", "f(a, b, c)"] {
            let syn::Expr::Call(call) = syn::parse_str::<syn::Expr>(text).unwrap() else {
                panic!("{text}")
            };
            let own: Vec<_> = call.args.iter().collect();
            assert_eq!(values(&call.args).collect::<Vec<_>>(), own, "{text}");
            assert_eq!(values(&call.args).rev().collect::<Vec<_>>().len(), own.len());
            assert_eq!(first(&call.args), call.args.first(), "{text}");
            assert_eq!(last(&call.args), call.args.last(), "{text}");
        }
    }
}
