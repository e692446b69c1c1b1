// schema/csv_import.h — reads and writes a partner's list as CSV.
//
// ParseListCsv takes the bytes of a file an operator exported from a spreadsheet
// or student system (the caller reads the file; this module does no I/O) and
// returns the rows it could read plus every problem it found, each with the
// physical line and the column, so the operator can fix the file in one pass.
//
// What it copes with:
//  - encoding: a UTF-8 byte-order mark is stripped; bytes that are not valid
//    UTF-8 are taken as Windows-1252 (what Dutch Excel writes) and converted;
//  - line endings CRLF, LF and lone CR;
//  - delimiter ';' (Dutch Excel), ',' or tab, detected from the header line by
//    counting each outside quotes (ties prefer ';', then tab, then ',');
//  - RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quoted
//    fields. A quote only opens a quoted field at the start of a field; a stray
//    quote inside an unquoted field is kept as a character;
//  - spaces and tabs around fields are trimmed (inside quotes they are kept);
//  - lines that are empty, or hold only delimiters (Excel's blank rows), are
//    skipped; a row may end in extra empty fields (Excel pads rows).
//
// Header: the first non-empty line. Unless ParseOptions::mapping names a
// column (see there: the operator's explicit choice), names are matched case-insensitively,
// ignoring spaces, underscores, dashes and dots (so "Eigen referentie",
// "eigen_referentie", "EIGEN-REFERENTIE" are one name, as are "Geb.datum" and
// "Geb. datum"):
//   identifier (PGN)         bsn, burgerservicenummer, onderwijsnummer, pgn,
//                            persoonsgebonden nummer, identifier, id,
//                            bsn/onderwijsnummer
//   category (required)      categorie, category, type verzuim, soort verzuim,
//                            verzuimsoort, verzuimcategorie, soort
//   since (required)         sinds, verzuim sinds, datum, startdatum,
//                            ingangsdatum, since, date, start date
//   school (required)        brin, school, school brin, brin school, brincode,
//                            brinnummer
//   plan (required)          plan, aanbod, plan aanwezig, aanbod aanwezig,
//                            plan/aanbod, plan in place, offer
//   own reference (required) referentie, eigen referentie, kenmerk, eigen kenmerk,
//                            dossiernummer, casenummer, reference, own reference,
//                            case reference
//   first names              voornamen, voornaam, voornamen leerling, first names,
//                            first name, given names, given name
//   roepnaam                 roepnaam, roepnaam leerling, preferred name, call name
//   initials                 voorletters, initialen, initials
//   prefix                   tussenvoegsel, tussenvoegsels, voorvoegsel,
//                            voorvoegsels, prefix, surname prefix
//   surname                  achternaam, achternaam leerling, geslachtsnaam,
//                            familienaam, surname, last name, family name
//   full name                naam, naam leerling, volledige naam, name, full name
//   birth date               geboortedatum, geboortedatum leerling, geb.datum,
//                            geb. datum, birth date, date of birth, dob; a
//                            partial date is allowed (ParsePartialDate: "2014",
//                            "03-2014", "00-03-2014")
//   sex                      geslacht, sex, gender (ParseSex: M/V/X and words)
// The header must name the five required columns and a way to identify a child:
// an identifier column, or a surname or full-name column together with a birth
// date column (or all of these). "leerlingnummer" is deliberately not an
// identifier: in Dutch student systems it is the school's own pupil number, not
// a BSN. Unknown columns, and columns mapped to nothing, are ignored; a mapping
// entry for a column the file does not have is a header problem. Two columns
// for one field (by name or by mapping) are a header problem naming the field
// and both columns (the later by its header, the earlier by its position).
//
// Rows: a row identifies its child (IdentifiesChild) by a valid PGN, or, when
// its PGN cell is empty or there is no such column, by a surname or full name
// with a birth date; a row with neither is reported ("this child cannot be
// matched"). Name parts are kept as written (trimmed), each at most
// kMaxNameChars characters without control characters.
//
// Problems (ImportProblem):
//  - `line` is the 1-based physical line on which the record starts, also when a
//    quoted field spans several lines;
//  - `column` is the header text as it appears in the file (trimmed), or empty
//    for a problem with the whole line; a missing-columns problem names the
//    canonical Dutch names (bsn, categorie, sinds, brin, plan, referentie,
//    achternaam, naam, geboortedatum);
//  - `message` says what was wrong and what was expected, and never contains a
//    field's value: any cell of a misaligned file may hold an identifier;
//  - `melding` says the same in plain Dutch for the console, with the same care.
// A missing required column or a column named twice stops the import after the
// header (no rows, the header problems only). A row with any problem is left
// out of `rows`; all its problems are reported. If an identifier occurs twice,
// the later row gets "duplicate identifier, also on line N" and is left out;
// likewise two rows without a PGN that name the same child (the same
// SubjectSource, schema/row_subject.h: the same name and birth date) get
// "duplicate child without BSN/onderwijsnummer: same name and birth date as
// line N". Problems are sorted by line. After kMaxProblems problems one final
// problem says that more were found and the rest are not listed.
//
// A node that may not hold a PGN parses with allow_identifier = false: a file
// with an identifier column — even an empty one — is then refused after its
// header, before any row is read (`identifier_refused`, one problem on the
// header line naming the column). The same holds for a column the mapping
// sends to bsn, and for a column whose name is an identifier alias mapped to
// another field (which would store BSNs as, say, references); a column with
// such a name that the mapping sends to nothing is ignored, never read.
// A BSN column under another name is caught by its cells: if any cell of the
// own-reference column or of a name column (first names, roepnaam, initials,
// prefix, surname, full name), mapped or guessed, is what Identifier::Parse
// accepts — after removing spaces, dots and dashes, 9 digits passing the BSN
// 11-proof or forming a valid onderwijsnummer, or 8 digits that do so padded
// with a 0 — the whole file is refused as for an identifier column
// (`identifier_refused`, no rows), before any row is parsed and before the
// header's other faults: one problem, on the line of the first such row,
// naming the column (by its header, never the value) and saying it seems to
// hold a BSN or onderwijsnummer and should be removed or mapped to nothing.
// All or nothing, because one such cell most likely means a column of BSNs
// and the import is all or nothing anyway. A number failing the 11-proof (a
// dossier number such as "20261234") is read as usual. Deliberate trade-off:
// an own reference that is a plain number and happens to pass the 11-proof
// (about one in eleven 8- or 9-digit numbers) is refused too; the operator
// must then put a letter in front of such references (e.g. "D-" and the
// number), which no BSN has. Nodes with allow_identifier = true read these
// cells as before.
//
// Limits: a line (or a record spanning lines) longer than kMaxLineBytes is
// reported and skipped; a file with more than kMaxDataRows data rows is rejected
// as a whole (no rows, one problem). Neither crashes or exhausts memory.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_CSV_IMPORT_H_
#define INBEELD_SCHEMA_CSV_IMPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "schema/cell_table.h"
#include "schema/list_fields.h"
#include "schema/list_row.h"

namespace inbeeld::schema {

struct ParseOptions {
  // False: refuse a file that has an identifier (BSN/onderwijsnummer) column,
  // or a mapping that sends any column to bsn, or an own-reference or name
  // column with a cell that is a valid BSN/onderwijsnummer (see above).
  bool allow_identifier = true;
  // The operator's choice of which column holds which field (header text as
  // in the file → field, or nullopt to ignore the column); it overrides the
  // guess from the header's name. A header text is looked up exactly, else
  // by the alias rules' normalisation (case, spaces, dots, dashes).
  ColumnMapping mapping = {};
};

struct ParsedList {
  std::vector<ListRow> rows;  // in file order; rows with problems left out
  std::vector<ImportProblem> problems;
  // With allow_identifier = false: the file has an identifier column, or an
  // own-reference or name column holding a BSN/onderwijsnummer, and was
  // refused; problems holds one problem naming the column.
  bool identifier_refused = false;
  // "csv" or "xlsx" (schema/xlsx.h; ParseListFile in schema/list_file.h).
  std::string format = "csv";
  char delimiter = ';';  // CSV only
  // CSV only: "utf-8", "utf-8-bom" or "windows-1252"; "utf-16" for a UTF-16 file, which
  // is refused with one problem (save it as CSV instead).
  std::string encoding = "utf-8";

  // True iff the whole file was read without any problem.
  bool ok() const { return problems.empty(); }
};

// Parses a list file. Never fails as a whole: everything wrong is a problem.
// An empty file (or one with only blank lines) gives one problem: no header.
// The same as ParseListTable(ReadCsvTable(bytes), options).
ParsedList ParseListCsv(std::string_view bytes, const ParseOptions& options = {});

// The first half of ParseListCsv: decodes the bytes and splits them into the
// header and data rows (each with its physical start and end line), skipping
// blank lines. What cannot be read (a quote never closed, a line too long, a
// row with more or fewer fields than the header) is a problem in the table
// and the row is left out; an encoding or header failure leaves the header
// empty. More than kMaxDataRows rows sets too_many_rows.
CellTable ReadCsvTable(std::string_view bytes);

// The second half: maps the header to fields (options.mapping first, then the
// aliases) and validates every row, as described above. The table's own
// problems come first in line order with the rows'; a table without a header
// gives its problems (or "no header line").
ParsedList ParseListTable(const CellTable& table, const ParseOptions& options = {});

// Writes rows as a CSV file that ParseListCsv reads back to equal rows: header
// bsn;categorie;sinds;brin;plan;referentie;voornamen;roepnaam;voorletters;
// tussenvoegsel;achternaam;naam;geboortedatum;geslacht, CRLF line ends, dates as
// dd-mm-jjjj (a partial birth date as mm-jjjj or jjjj), identifiers as 9 digits
// (onderwijsnummers too), categories as their Dutch label, plan as ja/nee, sex
// as M/V/X, an absent identifier, name part, birth date or sex as an empty field
// (so an empty name part reads back as absent). Fields holding the delimiter, a
// quote, a line break or leading/trailing whitespace are quoted. With `bom`,
// starts with a UTF-8 BOM so Excel reads the file as UTF-8. Note: text fields are
// written as they are; a name or reference starting with '=', '+', '-' or '@'
// may be taken as a formula by a spreadsheet.
// REQUIRES: delimiter is ';', ',' or '\t'.
std::string WriteListCsv(const std::vector<ListRow>& rows, char delimiter = ';', bool bom = true);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_CSV_IMPORT_H_
