//! The index against the linear-scan oracle on random data: uniform, clustered (near-duplicates)
//! and adversarial (many identical hashes), for every split and across the incremental paths.

use matching::index::{Hit, Index, plan};
use matching::synth::{self, Rng};
use media::Hash256;
use proptest::prelude::*;

fn sorted(mut v: Vec<Hit>) -> Vec<Hit> {
    v.sort();
    v
}

fn items(hashes: &[Hash256]) -> Vec<(u32, Hash256)> {
    hashes.iter().enumerate().map(|(i, h)| (i as u32, *h)).collect()
}

/// Database and queries from a seed: `kind` 0 = uniform, 1 = clustered, 2 = duplicates + clusters.
fn data(seed: u64, n: usize, kind: u8) -> (Vec<Hash256>, Vec<Hash256>) {
    let db = match kind {
        0 => synth::database(seed, n),
        1 => synth::clustered(seed, (n / 40).max(1), 39, 24),
        _ => {
            let mut db = synth::clustered(seed, (n / 80).max(1), 39, 6);
            let dup = db[0];
            db.extend(std::iter::repeat_n(dup, n / 2));
            db
        }
    };
    let mut q = synth::queries(seed, &db, 40, 45);
    let mut rng = Rng::new(seed);
    q.push(synth::balanced(&mut rng));
    (db, q)
}

fn check(index: &Index, queries: &[Hash256], radius: u32) -> Result<(), TestCaseError> {
    for q in queries {
        let fast = sorted(index.search(q, radius));
        let slow = sorted(index.search_linear(q, radius));
        prop_assert_eq!(fast, slow, "query {} radius {}", q, radius);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn index_equals_linear_scan(
        seed in any::<u64>(),
        n in 5_000usize..20_000,
        kind in 0u8..3,
        parts in prop::sample::select(vec![11u32, 12, 14, 16, 20]),
        radius in prop::sample::select(vec![0u32, 1, 8, 15, 16, 31, 32, 40, 47, 64]),
    ) {
        let (db, queries) = data(seed, n, kind);
        let index = Index::build_with(items(&db), Some(parts)).unwrap();
        check(&index, &queries, radius)?;
    }

    #[test]
    fn incremental_updates_equal_linear_scan(
        seed in any::<u64>(),
        kind in 0u8..3,
        radius in prop::sample::select(vec![0u32, 10, 31, 40]),
    ) {
        let (db, queries) = data(seed, 12_000, kind);
        let (first, rest) = db.split_at(6_000);
        let index = Index::build_with(items(first), Some(16)).unwrap();
        // Inserts in uneven batches: tail, frozen flat segments, small merges.
        let mut next = first.len() as u32;
        for chunk in rest.chunks(1_337) {
            let batch: Vec<_> = chunk.iter().map(|h| { next += 1; (next - 1, *h) }).collect();
            index.insert(&batch);
        }
        let mut rng = Rng::new(seed);
        let removed: Vec<u32> = (0..500).map(|_| rng.below(db.len() as u64) as u32).collect();
        index.remove(&removed);
        check(&index, &queries, radius)?;
        // Removed ids are never returned.
        for q in &queries {
            prop_assert!(index.search(q, radius).iter().all(|h| !removed.contains(&h.id)));
        }
        index.compact();
        check(&index, &queries, radius)?;
        prop_assert_eq!(index.len(), db.len() - {
            let mut r = removed.clone(); r.sort(); r.dedup(); r.len()
        });
        // A removed id can come back with a new hash.
        let back = removed[0];
        index.insert(&[(back, queries[0])]);
        let hits = index.search(&queries[0], 0);
        prop_assert!(hits.iter().any(|h| h.id == back && h.distance == 0));
        check(&index, &queries, radius)?;
    }
}

#[test]
fn parts_outside_the_supported_range_are_refused_not_a_panic() {
    let (db, queries) = data(3, 6_000, 0);
    for parts in [1, 10, 33, 40, 85, 86, 256, 257, u32::MAX] {
        let err = Index::build_with(items(&db), Some(parts)).err();
        assert_eq!(err, Some(matching::index::BadParts(parts)), "{parts}");
        assert!(matching::index::check_parts(parts).is_err());
    }
    let shown = matching::index::BadParts(40).to_string();
    assert!(shown.contains("40") && shown.contains("0") && shown.contains("11 to 32"), "{shown}");
    // The ends of the range work and agree with the linear scan at every radius that probes.
    for parts in [0, plan::MIN_PARTS, plan::MAX_PARTS] {
        let index = Index::build_with(items(&db), Some(parts)).unwrap();
        for radius in [0, 1, 8, 31, 64] {
            check(&index, &queries, radius).unwrap();
        }
    }
}

#[test]
fn automatic_split_is_sixteen_by_sixteen_for_small_indexes() {
    assert_eq!(plan::choose_parts(100_000), 16);
    assert_eq!(plan::choose_parts(1_000_000), 16);
    assert!(plan::choose_parts(10_000_000) < 16);
}

#[test]
fn concurrent_lookups_during_updates() {
    use std::sync::Arc;
    let db = synth::database(9, 50_000);
    let index = Arc::new(Index::build(items(&db)));
    let probe = db[123];
    std::thread::scope(|s| {
        let reader = {
            let index = Arc::clone(&index);
            s.spawn(move || {
                let mut seen = 0;
                for _ in 0..2_000 {
                    seen += index.search(&probe, 31).len();
                }
                seen
            })
        };
        for i in 0..20u32 {
            let mut rng = Rng::new(1_000 + u64::from(i));
            let batch: Vec<_> = (0..300).map(|j| (100_000 + i * 300 + j, synth::balanced(&mut rng))).collect();
            index.insert(&batch);
            index.remove(&[i]);
        }
        index.compact();
        assert!(reader.join().unwrap_or(0) > 0);
    });
    assert_eq!(index.len(), 50_000 + 20 * 300 - 20);
    let stats = index.stats();
    assert!(
        index.search(&db[5], 0).is_empty(),
        "{stats:?} {:?} {:?}",
        index.search(&db[5], 0),
        index.search_linear(&db[5], 0)
    );
    assert_eq!(index.search(&db[123], 0), vec![Hit { id: 123, distance: 0 }]);
}
