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
// Header: the first non-empty line. Names are matched case-insensitively,
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
// a BSN. Unknown columns are ignored.
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
//    field's value: any cell of a misaligned file may hold an identifier.
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
// header line naming the column).
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

#include "schema/list_row.h"

namespace inbeeld::schema {

inline constexpr size_t kMaxDataRows = 2'000'000;
inline constexpr size_t kMaxLineBytes = 64 * 1024;
inline constexpr size_t kMaxProblems = 10'000;

struct ImportProblem {
  size_t line = 0;      // 1-based physical line where the record starts
  std::string column;   // header text as in the file; empty for the whole line
  std::string message;  // never contains a field's value

  bool operator==(const ImportProblem&) const = default;
};

struct ParseOptions {
  // False: refuse a file that has an identifier (BSN/onderwijsnummer) column.
  bool allow_identifier = true;
};

struct ParsedList {
  std::vector<ListRow> rows;  // in file order; rows with problems left out
  std::vector<ImportProblem> problems;
  // With allow_identifier = false: the file has an identifier column and was
  // refused; problems holds one problem naming it.
  bool identifier_refused = false;
  char delimiter = ';';
  // "utf-8", "utf-8-bom" or "windows-1252"; "utf-16" for a UTF-16 file, which
  // is refused with one problem (save it as CSV instead).
  std::string encoding = "utf-8";

  // True iff the whole file was read without any problem.
  bool ok() const { return problems.empty(); }
};

// Parses a list file. Never fails as a whole: everything wrong is a problem.
// An empty file (or one with only blank lines) gives one problem: no header.
ParsedList ParseListCsv(std::string_view bytes, const ParseOptions& options = {});

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
