// schema/import_messages.h — import problems in plain Dutch, for the console.
//
// ImportProblem (schema/cell_table.h) carries an English `message` and a Dutch
// `melding`. The parser and the readers write both where they make a problem;
// the field validators it calls (ParseDate, Identifier::Parse, ParseBrin, …)
// speak English only, and DutchFieldMessage translates their fixed texts.
//
// Thread safety: pure functions over constant tables; safe from any thread.
#ifndef INBEELD_SCHEMA_IMPORT_MESSAGES_H_
#define INBEELD_SCHEMA_IMPORT_MESSAGES_H_

#include <string>
#include <string_view>

namespace inbeeld::schema {

// Dutch for a validator's English error text about one cell (never holding
// the cell's value). A text without a translation gives a general sentence
// ("De waarde in deze cel is niet geldig.") and `*translated` = false.
std::string DutchFieldMessage(std::string_view english, bool* translated = nullptr);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_IMPORT_MESSAGES_H_
