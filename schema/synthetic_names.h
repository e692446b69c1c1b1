// schema/synthetic_names.h — the built-in names schema/synthetic.cc draws
// from: common first names and surnames of the communities whose children are
// on Dutch lists. Internal to the synthetic-data generator; no other module
// includes it.
//
// These are common names, combined at random; no combination describes a real
// child. Surnames keep the tussenvoegsel apart ("van der" + "Berg"), as the
// BRP does. No first name is a particle or a placeholder of
// docs/NORMALISATION.md, and no surname core is another's.
//
// Thread safety: constant data.
#ifndef INBEELD_SCHEMA_SYNTHETIC_NAMES_H_
#define INBEELD_SCHEMA_SYNTHETIC_NAMES_H_

#include <array>
#include <span>
#include <string_view>

namespace inbeeld::schema::synthetic_names {

struct Surname {
  std::string_view prefix;  // "" or the tussenvoegsel, as the BRP writes it
  std::string_view name;
};

struct Community {
  std::string_view label;
  std::span<const std::string_view> girls;
  std::span<const std::string_view> boys;
  std::span<const Surname> surnames;
};

inline constexpr std::array<std::string_view, 22> kDutchGirls = {
    "Emma",  "Julia",   "Sophie", "Tess",        "Zoë",   "Mila",  "Anna",    "Evi",
    "Lotte", "Fenna",   "Nora",   "Sanne",       "Lieke", "Femke", "Jasmijn", "Anouk",
    "Chloë", "Johanna", "Maria",  "Anne-Sophie", "Noor",  "Saar"};
inline constexpr std::array<std::string_view, 20> kDutchBoys = {
    "Daan",     "Sem",     "Lucas",  "Finn",  "Levi", "Noah",       "Bram",
    "Luuk",     "Thijs",   "Ruben",  "Jesse", "Noël", "Jan-Willem", "Pieter",
    "Johannes", "Hendrik", "Willem", "Gijs",  "Teun", "Björn"};
inline constexpr std::array<Surname, 22> kDutchSurnames = {{
    {"", "Jansen"},          {"de", "Vries"},       {"van der", "Berg"}, {"van den", "Heuvel"},
    {"van", "Dijk"},         {"", "Bakker"},        {"", "Visser"},      {"", "Smit"},
    {"de", "Jong"},          {"", "Meijer"},        {"'t", "Hart"},      {"van 't", "Hof"},
    {"in 't", "Veld"},       {"ter", "Horst"},      {"van der", "Meer"}, {"van de", "Ven"},
    {"", "Jansen-de Vries"}, {"", "Bakker-Visser"}, {"de", "Boer-Smit"}, {"", "Dijkstra"},
    {"van", "Leeuwen"},      {"den", "Hartog"},
}};

inline constexpr std::array<std::string_view, 10> kMoroccanGirls = {
    "Fatima", "Amira", "Imane", "Nour", "Salma", "Yasmina", "Aya", "Hiba", "Malak", "Ikram"};
inline constexpr std::array<std::string_view, 10> kMoroccanBoys = {
    "Mohamed", "Ayoub", "Yassin", "Bilal", "Ilyas", "Rayan", "Anas", "Adam", "Hamza", "Zakaria"};
inline constexpr std::array<Surname, 10> kMoroccanSurnames = {{
    {"", "El Amrani"},
    {"", "Bouzid"},
    {"", "El Idrissi"},
    {"", "Azzouzi"},
    {"", "Benali"},
    {"", "Ouali"},
    {"", "Chaouch"},
    {"", "Boukhari"},
    {"", "Ait Taleb"},
    {"", "El Khatabi"},
}};

inline constexpr std::array<std::string_view, 10> kTurkishGirls = {
    "Elif", "Ayşe", "Büşra", "Çağla", "Zeynep", "Şeyma", "Esra", "Meryem", "Işıl", "Gül"};
inline constexpr std::array<std::string_view, 10> kTurkishBoys = {
    "Emir", "Yusuf", "Ömer", "İbrahim", "Mustafa", "Eymen", "Kerem", "Burak", "Çınar", "Furkan"};
inline constexpr std::array<Surname, 11> kTurkishSurnames = {{
    {"", "Öztürk"},
    {"", "Yıldız"},
    {"", "Çelik"},
    {"", "Şahin"},
    {"", "Doğan"},
    {"", "Aydın"},
    {"", "Kılıç"},
    {"", "Kaya"},
    {"", "Demir"},
    {"", "Güler"},
    {"", "Koç"},
}};

inline constexpr std::array<std::string_view, 10> kSurinameseGirls = {
    "Sharmila", "Priya",    "Anjali", "Shanti", "Djenna",
    "Naomi",    "Kimberly", "Sunita", "Latoya", "Chantal"};
inline constexpr std::array<std::string_view, 10> kSurinameseBoys = {
    "Ravi", "Kevin", "Romano", "Dwayne", "Sunil", "Rajesh", "Jaimy", "Quincy", "Anand", "Glenn"};
inline constexpr std::array<Surname, 11> kSurinameseSurnames = {{
    {"", "Ramdin"},
    {"", "Sewdien"},
    {"", "Kromosoeto"},
    {"", "Biharie"},
    {"", "Ramsaran"},
    {"", "Karijosemito"},
    {"", "Pinas"},
    {"", "Doelwijt"},
    {"", "Tjon A Fong"},
    {"", "Sital"},
    {"", "Wijngaarde"},
}};

inline constexpr std::array<std::string_view, 10> kPolishGirls = {
    "Zofia", "Zuzanna", "Wiktoria", "Łucja",   "Maja",
    "Hanna", "Alicja",  "Oliwia",   "Natalia", "Małgorzata"};
inline constexpr std::array<std::string_view, 10> kPolishBoys = {
    "Jakub",  "Kacper", "Szymon",  "Łukasz",   "Michał",
    "Antoni", "Filip",  "Mateusz", "Wojciech", "Bartosz"};
inline constexpr std::array<Surname, 10> kPolishSurnames = {{
    {"", "Kowalski"},
    {"", "Nowak"},
    {"", "Wiśniewski"},
    {"", "Wójcik"},
    {"", "Kamińska"},
    {"", "Dąbrowski"},
    {"", "Kowalczyk"},
    {"", "Zieliński"},
    {"", "Lewandowski"},
    {"", "Szymańska"},
}};

inline constexpr std::array<std::string_view, 10> kSyrianGirls = {
    "Rama", "Lana", "Sham", "Sidra", "Hala", "Judy", "Ghina", "Dana", "Rahaf", "Maya"};
inline constexpr std::array<std::string_view, 10> kSyrianBoys = {
    "Omar", "Ahmad", "Ali", "Khaled", "Yamen", "Majd", "Tarek", "Karam", "Hussein", "Samer"};
inline constexpr std::array<Surname, 10> kSyrianSurnames = {{
    {"", "Al-Khatib"},
    {"", "Haddad"},
    {"", "Alhamwi"},
    {"", "Al Hariri"},
    {"", "Kassab"},
    {"", "Mahmoud"},
    {"", "Al Masri"},
    {"", "Sabbagh"},
    {"", "Darwish"},
    {"", "Hamdan"},
}};

inline constexpr std::array<std::string_view, 10> kEritreanGirls = {
    "Selam", "Meron", "Senait", "Luwam", "Semhar", "Helen", "Yodit", "Saba", "Rahel", "Winta"};
inline constexpr std::array<std::string_view, 10> kEritreanBoys = {
    "Yonas", "Filmon", "Abel", "Dawit", "Samuel", "Robel", "Natnael", "Amanuel", "Henok", "Biniam"};
inline constexpr std::array<Surname, 10> kEritreanSurnames = {{
    {"", "Tesfay"},
    {"", "Gebremedhin"},
    {"", "Haile"},
    {"", "Kidane"},
    {"", "Tekle"},
    {"", "Berhane"},
    {"", "Abraha"},
    {"", "Weldemichael"},
    {"", "Ghebreyesus"},
    {"", "Mehari"},
}};

// Dutch names weigh most, as on real lists.
inline constexpr std::array<Community, 7> kCommunities = {{
    {"Dutch", kDutchGirls, kDutchBoys, kDutchSurnames},
    {"Moroccan-Dutch", kMoroccanGirls, kMoroccanBoys, kMoroccanSurnames},
    {"Turkish-Dutch", kTurkishGirls, kTurkishBoys, kTurkishSurnames},
    {"Surinamese-Dutch", kSurinameseGirls, kSurinameseBoys, kSurinameseSurnames},
    {"Polish", kPolishGirls, kPolishBoys, kPolishSurnames},
    {"Syrian", kSyrianGirls, kSyrianBoys, kSyrianSurnames},
    {"Eritrean", kEritreanGirls, kEritreanBoys, kEritreanSurnames},
}};
// Out of 100: Dutch 40, then 15, 15, 10, 8, 6, 6.
inline constexpr std::array<int, 7> kCommunityWeights = {40, 15, 15, 10, 8, 6, 6};

// Letters with a diacritic that appear above, and how a system without
// diacritics writes them. Also their capitals, for names typed in capitals.
struct Spelling {
  std::string_view from;
  std::string_view to;
};
inline constexpr std::array<Spelling, 31> kWithoutDiacritics = {{
    {"ë", "e"}, {"é", "e"}, {"ö", "o"}, {"ó", "o"}, {"ü", "u"}, {"ç", "c"}, {"ş", "s"}, {"ğ", "g"},
    {"ı", "i"}, {"ł", "l"}, {"ą", "a"}, {"ę", "e"}, {"ś", "s"}, {"ń", "n"}, {"ź", "z"}, {"ż", "z"},
    {"ć", "c"}, {"İ", "I"}, {"Ç", "C"}, {"Ö", "O"}, {"Ş", "S"}, {"Ü", "U"}, {"Ł", "L"}, {"Ś", "S"},
    {"Ż", "Z"}, {"Ë", "E"}, {"É", "E"}, {"Ó", "O"}, {"Ğ", "G"}, {"Ą", "A"}, {"Ę", "E"},
}};
// Lower case to capital for the non-ASCII letters above. A Dutch system writes
// Turkish ı in capitals as I (not the Turkish dotted İ for i).
inline constexpr std::array<Spelling, 17> kCapitals = {{
    {"ë", "Ë"},
    {"é", "É"},
    {"ö", "Ö"},
    {"ó", "Ó"},
    {"ü", "Ü"},
    {"ç", "Ç"},
    {"ş", "Ş"},
    {"ğ", "Ğ"},
    {"ı", "I"},
    {"ł", "Ł"},
    {"ą", "Ą"},
    {"ę", "Ę"},
    {"ś", "Ś"},
    {"ń", "Ń"},
    {"ź", "Ź"},
    {"ż", "Ż"},
    {"ć", "Ć"},
}};
// Capital to lower case; İ as a Dutch system lower-cases it (i, no dot above).
inline constexpr std::array<Spelling, 12> kLowerCase = {{
    {"İ", "i"},
    {"Ç", "ç"},
    {"Ö", "ö"},
    {"Ş", "ş"},
    {"Ü", "ü"},
    {"Ł", "ł"},
    {"Ś", "ś"},
    {"Ż", "ż"},
    {"Ë", "ë"},
    {"É", "é"},
    {"Ó", "ó"},
    {"Ğ", "ğ"},
}};

}  // namespace inbeeld::schema::synthetic_names

#endif  // INBEELD_SCHEMA_SYNTHETIC_NAMES_H_
