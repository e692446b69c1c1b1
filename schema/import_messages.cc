#include "schema/import_messages.h"

#include <utility>

namespace inbeeld::schema {
namespace {

// The validators' fixed texts (schema/identifier.cc, date.cc, list_row.cc,
// person.cc, and the cell checks in csv_import.cc). A new text there needs a
// line here; tests/schema/import_messages_test.cc feeds every kind of faulty
// cell through the parser and fails on the general fallback.
constexpr std::pair<std::string_view, std::string_view> kFieldMessages[] = {
    {"is empty", "De cel is leeg; hier moet iets staan."},
    {"contains a character other than digits, spaces, dots or dashes",
     "Het nummer bevat een teken dat geen cijfer, spatie, punt of streepje is."},
    {"not 8 or 9 digits", "Het nummer heeft niet 8 of 9 cijfers."},
    {"is all zeros", "Het nummer bestaat alleen uit nullen."},
    {"fails the BSN and onderwijsnummer check (11-proof)",
     "Dit is geen geldig BSN of onderwijsnummer (de elfproef klopt niet). Controleer het "
     "nummer; een nul aan het begin valt weg als Excel het als getal opslaat."},
    {"expected a date like 31-01-2026 or 2026-01-31",
     "Dit is geen datum. Schrijf de datum als 31-01-2026 of 2026-01-31."},
    {"year is outside 1900..2100", "Het jaar ligt niet tussen 1900 en 2100."},
    {"month is not between 1 and 12", "De maand ligt niet tussen 1 en 12."},
    {"day does not exist in that month", "Deze dag bestaat niet in die maand."},
    {"unknown category; expected relatief verzuim, absoluut verzuim, vrijstelling 5 onder a or "
     "dreigend",
     "Onbekende categorie. Kies relatief verzuim, absoluut verzuim, vrijstelling 5 onder a of "
     "dreigend."},
    {"expected a BRIN code like 12AB, or 12AB01 with a vestiging number",
     "Dit is geen BRIN-code. Schrijf die als 12AB, of als 12AB01 met het vestigingsnummer."},
    {"expected ja or nee (or yes/no, 1/0)", "Vul ja of nee in."},
    {"expected a birth date like 31-01-2014, 00-01-2014, 01-2014, 2014 or 2014-01-31",
     "Dit is geen geboortedatum. Schrijf die als 31-01-2014; is de dag of maand onbekend, dan "
     "01-2014 of 2014."},
    {"a day is given but the month is unknown", "Er staat een dag, maar de maand is onbekend."},
    {"expected a sex like M, V or X (man, vrouw, overig; male, female, other)",
     "Onbekend geslacht. Vul M, V of X in (of man, vrouw, overig)."},
    {"contains a control character (such as a line break)",
     "De cel bevat een onzichtbaar teken, zoals een regelovergang (Alt+Enter). Haal dat weg."},
    {"is longer than 64 characters", "De tekst is langer dan 64 tekens."},
    {"is longer than 200 characters", "De tekst is langer dan 200 tekens."},
};

}  // namespace

std::string DutchFieldMessage(std::string_view english, bool* translated) {
  for (const auto& [en, nl] : kFieldMessages) {
    if (en == english) {
      if (translated != nullptr) *translated = true;
      return std::string(nl);
    }
  }
  if (translated != nullptr) *translated = false;
  return "De waarde in deze cel is niet geldig.";
}

}  // namespace inbeeld::schema
