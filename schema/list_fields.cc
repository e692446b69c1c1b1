#include "schema/list_fields.h"

#include <array>

namespace inbeeld::schema {
namespace {

constexpr std::array<ListFieldInfo, kListFieldCount> kFields = {{
    {ListField::kIdentifier, "bsn", "BSN of onderwijsnummer", false},
    {ListField::kCategory, "categorie", "Categorie (soort verzuim)", true},
    {ListField::kSince, "sinds", "Verzuim sinds", true},
    {ListField::kSchool, "brin", "School (BRIN)", true},
    {ListField::kPlan, "plan", "Plan of aanbod aanwezig (ja/nee)", true},
    {ListField::kOwnReference, "referentie", "Eigen referentie (kenmerk)", true},
    {ListField::kFirstNames, "voornamen", "Voornamen", false},
    {ListField::kRoepnaam, "roepnaam", "Roepnaam", false},
    {ListField::kInitials, "voorletters", "Voorletters", false},
    {ListField::kPrefix, "tussenvoegsel", "Tussenvoegsel", false},
    {ListField::kSurname, "achternaam", "Achternaam", false},
    {ListField::kFullName, "naam", "Volledige naam", false},
    {ListField::kBirthDate, "geboortedatum", "Geboortedatum", false},
    {ListField::kSex, "geslacht", "Geslacht", false},
}};

struct HeaderAlias {
  std::string_view key;  // normalised by NormaliseHeader
  ListField field;
};

constexpr HeaderAlias kHeaderAliases[] = {
    {"bsn", ListField::kIdentifier},
    {"burgerservicenummer", ListField::kIdentifier},
    {"onderwijsnummer", ListField::kIdentifier},
    {"pgn", ListField::kIdentifier},
    {"persoonsgebondennummer", ListField::kIdentifier},
    {"identifier", ListField::kIdentifier},
    {"id", ListField::kIdentifier},
    {"bsn/onderwijsnummer", ListField::kIdentifier},
    {"categorie", ListField::kCategory},
    {"category", ListField::kCategory},
    {"typeverzuim", ListField::kCategory},
    {"soortverzuim", ListField::kCategory},
    {"verzuimsoort", ListField::kCategory},
    {"verzuimcategorie", ListField::kCategory},
    {"soort", ListField::kCategory},
    {"sinds", ListField::kSince},
    {"verzuimsinds", ListField::kSince},
    {"datum", ListField::kSince},
    {"startdatum", ListField::kSince},
    {"ingangsdatum", ListField::kSince},
    {"since", ListField::kSince},
    {"date", ListField::kSince},
    {"startdate", ListField::kSince},
    {"brin", ListField::kSchool},
    {"school", ListField::kSchool},
    {"schoolbrin", ListField::kSchool},
    {"brinschool", ListField::kSchool},
    {"brincode", ListField::kSchool},
    {"brinnummer", ListField::kSchool},
    {"plan", ListField::kPlan},
    {"aanbod", ListField::kPlan},
    {"planaanwezig", ListField::kPlan},
    {"aanbodaanwezig", ListField::kPlan},
    {"plan/aanbod", ListField::kPlan},
    {"planinplace", ListField::kPlan},
    {"offer", ListField::kPlan},
    {"referentie", ListField::kOwnReference},
    {"eigenreferentie", ListField::kOwnReference},
    {"kenmerk", ListField::kOwnReference},
    {"eigenkenmerk", ListField::kOwnReference},
    {"dossiernummer", ListField::kOwnReference},
    {"casenummer", ListField::kOwnReference},
    {"reference", ListField::kOwnReference},
    {"ownreference", ListField::kOwnReference},
    {"casereference", ListField::kOwnReference},
    {"voornamen", ListField::kFirstNames},
    {"voornaam", ListField::kFirstNames},
    {"voornamenleerling", ListField::kFirstNames},
    {"firstnames", ListField::kFirstNames},
    {"firstname", ListField::kFirstNames},
    {"givennames", ListField::kFirstNames},
    {"givenname", ListField::kFirstNames},
    {"roepnaam", ListField::kRoepnaam},
    {"roepnaamleerling", ListField::kRoepnaam},
    {"preferredname", ListField::kRoepnaam},
    {"callname", ListField::kRoepnaam},
    {"voorletters", ListField::kInitials},
    {"initialen", ListField::kInitials},
    {"initials", ListField::kInitials},
    {"tussenvoegsel", ListField::kPrefix},
    {"tussenvoegsels", ListField::kPrefix},
    {"voorvoegsel", ListField::kPrefix},
    {"voorvoegsels", ListField::kPrefix},
    {"prefix", ListField::kPrefix},
    {"surnameprefix", ListField::kPrefix},
    {"achternaam", ListField::kSurname},
    {"achternaamleerling", ListField::kSurname},
    {"geslachtsnaam", ListField::kSurname},
    {"familienaam", ListField::kSurname},
    {"surname", ListField::kSurname},
    {"lastname", ListField::kSurname},
    {"familyname", ListField::kSurname},
    {"naam", ListField::kFullName},
    {"naamleerling", ListField::kFullName},
    {"volledigenaam", ListField::kFullName},
    {"name", ListField::kFullName},
    {"fullname", ListField::kFullName},
    {"geboortedatum", ListField::kBirthDate},
    {"geboortedatumleerling", ListField::kBirthDate},
    {"gebdatum", ListField::kBirthDate},
    {"birthdate", ListField::kBirthDate},
    {"dateofbirth", ListField::kBirthDate},
    {"dob", ListField::kBirthDate},
    {"geslacht", ListField::kSex},
    {"sex", ListField::kSex},
    {"gender", ListField::kSex},
};

}  // namespace

std::string NormaliseHeader(std::string_view header) {
  std::string key;
  key.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
    key.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return key;
}

std::span<const ListFieldInfo> ListFields() { return kFields; }

const ListFieldInfo& FieldInfo(ListField field) { return kFields[static_cast<size_t>(field)]; }

Result<ListField> ParseListField(std::string_view name) {
  for (const ListFieldInfo& info : kFields) {
    if (info.name == name) return info.field;
  }
  std::string names;
  for (const ListFieldInfo& info : kFields) {
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  return Fail(ErrorCode::kInvalidArgument,
              "unknown field; expected one of " + names + " (or nothing, to ignore the column)");
}

std::optional<ListField> GuessListField(std::string_view header) {
  std::string key = NormaliseHeader(header);
  for (const HeaderAlias& alias : kHeaderAliases) {
    if (alias.key == key) return alias.field;
  }
  return std::nullopt;
}

ColumnMapping ProposeMapping(std::span<const std::string> header) {
  ColumnMapping mapping;
  for (const std::string& text : header) {
    if (!text.empty()) mapping.emplace(text, GuessListField(text));
  }
  return mapping;
}

}  // namespace inbeeld::schema
