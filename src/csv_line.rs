//! CSV lines for the large tables (`components.csv`, `focus.csv`: millions of lines), written
//! with the same codec and quoting rule as every other CSV of the tool: csv-core (the engine
//! of the `csv` crate) decides, with `csv::Writer`'s default settings (quote only when
//! necessary, quotes doubled, `\n` line ends), whether a cell needs quotes and writes them.
//! What differs from `csv::Writer` is only the bookkeeping: a line is assembled in one buffer
//! kept from line to line, a number the caller already wrote as text goes in without a second
//! look (digits, `-` and `.` never need quotes), a run of cells that repeats on many lines can be
//! encoded once ([`Encoded`]) and copied in, and the buffer goes to the file in 1 MiB writes.
//! The bytes are those `csv::Writer::write_record` writes; proptests check it.

use std::io::Write;

/// Buffered bytes sent to the file at once.
const FLUSH_AT: usize = 1 << 20;

/// Writes CSV lines into `out`.
pub struct LineWriter<W: Write> {
    core: csv_core::Writer,
    out: W,
    buf: Vec<u8>,
    /// Cells written on the current line, and whether the only one so far was empty.
    cells: usize,
    last_empty: bool,
}

impl<W: Write> LineWriter<W> {
    pub fn new(out: W) -> Self {
        LineWriter {
            core: csv_core::Writer::new(),
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            cells: 0,
            last_empty: false,
        }
    }

    fn separate(&mut self) {
        if self.cells > 0 {
            self.buf.push(b',');
        }
        self.cells += 1;
    }

    /// One text cell, quoted when csv-core says it must be.
    pub fn cell(&mut self, s: &str) {
        self.separate();
        self.last_empty = s.is_empty();
        let bytes = s.as_bytes();
        if !self.core.should_quote(bytes) {
            self.buf.extend_from_slice(bytes);
            return;
        }
        // Worst case: every byte a doubled quote, plus the two enclosing quotes.
        let start = self.buf.len();
        self.buf.resize(start + 2 * bytes.len() + 2, 0);
        // `finish` closes the quotes and leaves csv-core ready for the next quoted cell.
        let (_, nin, mut n) = self.core.field(bytes, &mut self.buf[start..]);
        debug_assert_eq!(nin, bytes.len(), "the output has room for every byte");
        let (_, m) = self.core.finish(&mut self.buf[start + n..]);
        n += m;
        self.buf.truncate(start + n);
    }

    /// One cell of text that needs no quoting: a number written as plain decimal text.
    pub fn number(&mut self, s: &str) {
        debug_assert!(
            !self.core.should_quote(s.as_bytes()),
            "{s:?} is not a number"
        );
        self.separate();
        self.last_empty = s.is_empty();
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Several cells at once.
    pub fn cells<'s>(&mut self, cells: impl IntoIterator<Item = &'s str>) {
        for c in cells {
            self.cell(c);
        }
    }

    /// Cells encoded once by [`Encoded::new`], for a run of cells that repeats on many lines:
    /// the same bytes as writing each with [`LineWriter::cell`].
    pub fn encoded(&mut self, e: &Encoded) {
        if e.cells == 0 {
            return;
        }
        self.separate();
        self.buf.extend_from_slice(&e.bytes);
        self.cells += e.cells - 1;
        self.last_empty = e.last_empty;
    }

    /// End the line (as csv-core does: a line with no byte in it is written `""`).
    pub fn end(&mut self) -> std::io::Result<()> {
        if self.cells == 0 || (self.cells == 1 && self.last_empty) {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        self.cells = 0;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Write what is buffered and return the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A run of cells encoded once (quoted where csv-core says, comma-separated, no line end).
pub struct Encoded {
    bytes: Vec<u8>,
    cells: usize,
    last_empty: bool,
}

impl Encoded {
    pub fn new<'s>(cells: impl IntoIterator<Item = &'s str>) -> Encoded {
        let mut w = LineWriter::new(std::io::sink());
        w.cells(cells);
        Encoded {
            bytes: std::mem::take(&mut w.buf),
            cells: w.cells,
            last_empty: w.last_empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_csv_crate(lines: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for l in lines {
            w.write_record(l).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn by_line_writer(lines: &[Vec<String>]) -> Vec<u8> {
        let mut w = LineWriter::new(Vec::new());
        for l in lines {
            w.cells(l.iter().map(String::as_str));
            w.end().unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn quotes_what_needs_quotes_and_nothing_else() {
        // Expected bytes written out by hand from RFC 4180's rules as the csv crate applies
        // them: a comma, a quote or a line break forces quotes; a quote inside is doubled.
        let lines = vec![
            vec![
                "a".to_string(),
                "b c".into(),
                "Amazon Web Services, Inc.".into(),
            ],
            vec!["say \"hi\"".into(), "two\nlines".into(), String::new()],
            vec![String::new()],
        ];
        let expected =
            b"a,b c,\"Amazon Web Services, Inc.\"\n\"say \"\"hi\"\"\",\"two\nlines\",\n\"\"\n";
        assert_eq!(by_line_writer(&lines), expected.to_vec());
        assert_eq!(by_csv_crate(&lines), expected.to_vec());
    }

    #[test]
    fn numbers_go_in_as_written() {
        let mut w = LineWriter::new(Vec::new());
        w.cell("x");
        w.number("-0.000123");
        w.number("42");
        w.end().unwrap();
        assert_eq!(w.finish().unwrap(), b"x,-0.000123,42\n".to_vec());
    }

    /// A file that records the size of every write it is given.
    #[derive(Default)]
    struct Recorded {
        bytes: Vec<u8>,
        writes: Vec<usize>,
    }

    impl Write for Recorded {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.bytes.extend_from_slice(b);
            self.writes.push(b.len());
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn flushes_in_large_writes_and_keeps_every_byte() {
        // 100,000 lines of "0123456789,x\n" (13 bytes each) = 1,300,000 bytes. The buffer goes
        // out once it holds 1 MiB (1,048,576 bytes): after line ceil(1,048,576 / 13) = 80,660,
        // i.e. 80,660 x 13 = 1,048,580 bytes; the other 19,340 lines (251,420 bytes) at the end.
        let mut w = LineWriter::new(Recorded::default());
        for _ in 0..100_000 {
            w.number("0123456789");
            w.cell("x");
            w.end().unwrap();
        }
        let out = w.finish().unwrap();
        assert_eq!(out.writes, vec![1_048_580, 251_420]);
        assert_eq!(out.bytes.len(), 1_300_000);
        assert_eq!(&out.bytes[..13], b"0123456789,x\n");
    }

    proptest! {
        #[test]
        fn writes_what_the_csv_crate_writes(
            lines in prop::collection::vec(
                prop::collection::vec("[a-z,\"\n\r #é]{0,6}", 1..6),
                0..8,
            )
        ) {
            prop_assert_eq!(by_line_writer(&lines), by_csv_crate(&lines));
        }

        /// Any run of a line's cells may be encoded once: the bytes are the same.
        #[test]
        fn encoded_runs_write_what_single_cells_write(
            lines in prop::collection::vec(
                (
                    prop::collection::vec("[a-z,\"\n\r #é]{0,6}", 1..8),
                    prop::collection::vec(0usize..4, 0..8),
                ),
                0..8,
            )
        ) {
            let plain: Vec<Vec<String>> = lines.iter().map(|(cells, _)| cells.clone()).collect();
            let mut w = LineWriter::new(Vec::new());
            for (cells, runs) in &lines {
                // Cut the line into runs of the drawn lengths (0 = one cell written alone).
                let mut rest = &cells[..];
                for &n in runs.iter().chain(std::iter::repeat(&0)) {
                    if rest.is_empty() {
                        break;
                    }
                    let n = n.min(rest.len());
                    if n == 0 {
                        w.cell(&rest[0]);
                        rest = &rest[1..];
                    } else {
                        w.encoded(&Encoded::new(rest[..n].iter().map(String::as_str)));
                        rest = &rest[n..];
                    }
                }
                w.end().unwrap();
            }
            prop_assert_eq!(w.finish().unwrap(), by_csv_crate(&plain));
        }
    }
}
