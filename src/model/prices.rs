//! Price lookups for one model run: every figure the model uses passes through [`Prices::get`],
//! which caches it (the hot path prices millions of lines) and records it for the report's list
//! of sources. The account and region indexes that lines carry are resolved here too.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::rc::Rc;

use crate::error::Result;
use crate::pricing::{Figure, PriceBook};

pub(super) struct Prices<'a> {
    book: &'a PriceBook,
    accounts: &'a [String],
    regions: &'a [String],
    /// The figures used, by (id, the figure's region), for the report.
    pub(super) used: BTreeMap<(String, String), Figure>,
    /// Figures already looked up, by (id, region index).
    cache: FxHashMap<(Id, u32), Rc<Figure>>,
}

/// A price id as a cache key, by address and length: the ids are string literals, so hashing
/// and comparing them is two words, not their text (the hot path prices millions of lines).
/// The same text at two addresses makes two entries holding the same figure.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Id(usize, usize);

impl Id {
    fn of(id: &'static str) -> Id {
        Id(id.as_ptr() as usize, id.len())
    }
}

impl<'a> Prices<'a> {
    pub(super) fn new(book: &'a PriceBook, accounts: &'a [String], regions: &'a [String]) -> Self {
        Prices {
            book,
            accounts,
            regions,
            used: BTreeMap::new(),
            cache: FxHashMap::default(),
        }
    }

    /// The figure `id` in `region` (the book's fallback rules apply); an error names the figure
    /// and region the book lacks.
    pub(super) fn get(&mut self, id: &'static str, region: &str) -> Result<Rc<Figure>> {
        // A region no group is in (a global lookup) gets its own key, never another region's.
        let reg = self
            .regions
            .binary_search_by(|x| x.as_str().cmp(region))
            .map_or(u32::MAX, |i| i as u32);
        self.lookup(id, reg, region)
    }

    /// [`Prices::get`] in the region at index `reg` of the model's regions.
    pub(super) fn get_in(&mut self, id: &'static str, reg: u32) -> Result<Rc<Figure>> {
        let regions = self.regions;
        self.lookup(id, reg, regions[reg as usize].as_str())
    }

    fn lookup(&mut self, id: &'static str, reg: u32, region: &str) -> Result<Rc<Figure>> {
        if let Some(f) = self.cache.get(&(Id::of(id), reg)) {
            return Ok(f.clone());
        }
        let f = Rc::new(self.book.get(id, region)?.clone());
        self.used
            .entry((id.to_string(), f.region.clone()))
            .or_insert_with(|| (*f).clone());
        self.cache.insert((Id::of(id), reg), f.clone());
        Ok(f)
    }

    /// What another thread needs to make its own lookups (its own cache): the book, the
    /// accounts and the regions.
    pub(super) fn seed(&self) -> (&'a PriceBook, &'a [String], &'a [String]) {
        (self.book, self.accounts, self.regions)
    }

    /// The figures a sibling used, recorded here too.
    pub(super) fn absorb(&mut self, used: BTreeMap<(String, String), Figure>) {
        for (k, f) in used {
            self.used.entry(k).or_insert(f);
        }
    }

    pub(super) fn account_index(&self, a: &str) -> u32 {
        self.accounts
            .binary_search_by(|x| x.as_str().cmp(a))
            .unwrap_or(0) as u32
    }

    pub(super) fn region_index(&self, r: &str) -> u32 {
        self.regions
            .binary_search_by(|x| x.as_str().cmp(r))
            .unwrap_or(0) as u32
    }

    /// The account id for a line's account index.
    pub(super) fn account_name(&self, acct: u32) -> &'a str {
        self.accounts[acct as usize].as_str()
    }

    /// The region's name for a line's region index.
    pub(super) fn region_name(&self, reg: u32) -> &'a str {
        self.regions[reg as usize].as_str()
    }
}
