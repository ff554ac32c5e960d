//! Splitting many rows into orders of a bounded size.

/// Splits `items` into consecutive batches of at most `size` (a size of 0 counts as 1), keeping order.
///
/// ```
/// let batches = examples::bulk::batches((1..=5).collect::<Vec<_>>(), 2);
/// assert_eq!(batches, vec![vec![1, 2], vec![3, 4], vec![5]]);
/// assert!(examples::bulk::batches(Vec::<u8>::new(), 3).is_empty());
/// ```
pub fn batches<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(items.len().div_ceil(size));
    let mut current = Vec::with_capacity(size.min(items.len()));
    for item in items {
        current.push(item);
        if current.len() == size {
            out.push(std::mem::replace(&mut current, Vec::with_capacity(size)));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The order name of batch `index` (0-based) of `count`: the base name alone for a single batch,
/// else `"{base} (batch {n} of {count})"`.
///
/// ```
/// assert_eq!(examples::bulk::batch_order_name("March", 0, 1), "March");
/// assert_eq!(examples::bulk::batch_order_name("March", 1, 3), "March (batch 2 of 3)");
/// ```
pub fn batch_order_name(base: &str, index: usize, count: usize) -> String {
    if count <= 1 {
        base.to_owned()
    } else {
        format!("{base} (batch {} of {count})", index + 1)
    }
}
