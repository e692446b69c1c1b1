#include "schema/row_subject.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "schema/match_keys.h"

namespace inbeeld::schema {
namespace {

// A child without a PGN; names are synthetic.
ListRow Child(const std::string& reference, std::optional<std::string> first_names,
              const std::string& surname, PartialDate birth_date) {
  ListRow row{.category = Category::kRelatiefVerzuim,
              .since = Date{2026, 9, 1},
              .school_brin = "12AB",
              .own_reference = reference};
  row.name.first_names = std::move(first_names);
  row.name.surname = surname;
  row.birth_date = birth_date;
  return row;
}

constexpr PartialDate kBorn{2014, 3, 5};
constexpr PartialDate kYear{2014, 0, 0};

TEST(SubjectSourcesTest, APgnRowIsNamedByItsDigitsWhateverElseItHolds) {
  ListRow row = Child("R1", "Sem", "Visser", kBorn);
  row.identifier = *Identifier::Parse("123456782");
  ListRow other = row;
  other.name = {};
  other.birth_date.reset();
  auto sources = SubjectSources(std::vector<ListRow>{row});
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0], (SubjectSource{SubjectBasis::kPgn, "123456782"}));
  EXPECT_EQ(SubjectSources(std::vector<ListRow>{other})[0], sources[0]);
}

TEST(SubjectSourcesTest, AChildWithoutAPgnIsNamedByItsPersonKey) {
  ListRow row = Child("R1", "Sem Jan", "Visser", kBorn);
  auto sources = SubjectSources(std::vector<ListRow>{row});
  EXPECT_EQ(sources[0].basis, SubjectBasis::kPerson);
  EXPECT_EQ(sources[0].text, PersonIdentityKey(row.name, row.birth_date));
  // Stable across lists: the other rows and the reference do not change it.
  ListRow renumbered = row;
  renumbered.own_reference = "R9";
  auto again = SubjectSources(std::vector<ListRow>{Child("R2", "Tess", "Kok", kBorn), renumbered});
  EXPECT_EQ(again[1], sources[0]);
}

TEST(SubjectSourcesTest, TheSameChildTwiceHasOneSource) {
  // Another reference does not make it another child: name and birth date do.
  std::vector<ListRow> rows = {Child("R1", "Sem", "Visser", kBorn),
                               Child("R2", "Sem", "Visser", kBorn)};
  auto sources = SubjectSources(rows);
  EXPECT_EQ(sources[0], sources[1]);
}

TEST(SubjectSourcesTest, TwinsWithOtherFirstNamesAreTwoChildren) {
  std::vector<ListRow> rows = {Child("R1", "Sem", "Visser", kBorn),
                               Child("R2", "Tess", "Visser", kBorn)};
  auto sources = SubjectSources(rows);
  EXPECT_EQ(sources[0].basis, SubjectBasis::kPerson);
  EXPECT_EQ(sources[1].basis, SubjectBasis::kPerson);
  EXPECT_NE(sources[0], sources[1]);
}

TEST(SubjectSourcesTest, TwinsSharingTheirFirstOfficialNameAreTwoChildren) {
  // Both give the person key of "Maria": the fuller names tell them apart.
  std::vector<ListRow> rows = {Child("R1", "Maria Anna", "Visser", kBorn),
                               Child("R2", "Maria Johanna", "Visser", kBorn)};
  ASSERT_EQ(PersonIdentityKey(rows[0].name, rows[0].birth_date),
            PersonIdentityKey(rows[1].name, rows[1].birth_date));
  auto sources = SubjectSources(rows);
  EXPECT_EQ(sources[0].basis, SubjectBasis::kPersonDetail);
  EXPECT_EQ(sources[1].basis, SubjectBasis::kPersonDetail);
  EXPECT_NE(sources[0], sources[1]);
  // A third row spelling the first twin alike is that twin again.
  rows.push_back(Child("R3", "MARIA  ANNA", "Visser", kBorn));
  sources = SubjectSources(rows);
  EXPECT_EQ(sources[2], sources[0]);
}

TEST(SubjectSourcesTest, SexTellsApartWhatTheNameDoesNot) {
  std::vector<ListRow> rows = {Child("R1", "Maria Anna", "Visser", kBorn),
                               Child("R2", "Maria Anna", "Visser", kBorn)};
  rows[0].sex = Sex::kFemale;
  rows[1].sex = Sex::kMale;
  auto sources = SubjectSources(rows);
  EXPECT_NE(sources[0], sources[1]);
}

TEST(SubjectSourcesTest, ThinRecordsAreToldApartByTheirReference) {
  // Surname and birth date only: twins, and nothing but the partner's own
  // reference to tell them apart.
  std::vector<ListRow> rows = {Child("R1", std::nullopt, "Visser", kBorn),
                               Child("R2", std::nullopt, "Visser", kBorn)};
  auto sources = SubjectSources(rows);
  EXPECT_EQ(sources[0].basis, SubjectBasis::kPersonDetail);
  EXPECT_NE(sources[0], sources[1]);
  rows[1].own_reference = "R1";
  sources = SubjectSources(rows);
  EXPECT_EQ(sources[0], sources[1]) << "the same thin record under one reference is one child";

  // Only a birth year, without a given name: no person key at all.
  std::vector<ListRow> year = {Child("R1", std::nullopt, "Visser", kYear)};
  ASSERT_EQ(PersonIdentityKey(year[0].name, year[0].birth_date), std::nullopt);
  EXPECT_EQ(SubjectSources(year)[0].basis, SubjectBasis::kPersonDetail);
  // Namesakes born in the same year.
  std::vector<ListRow> namesakes = {Child("R1", "Sem", "Visser", kYear),
                                    Child("R2", "Sem", "Visser", kYear)};
  sources = SubjectSources(namesakes);
  EXPECT_NE(sources[0], sources[1]);
}

TEST(SubjectSourcesTest, ReferencesCannotRunIntoEachOther) {
  std::vector<ListRow> rows = {Child("R1|x", std::nullopt, "Visser", kYear),
                               Child("R1", std::nullopt, "Visser", kYear)};
  auto sources = SubjectSources(rows);
  EXPECT_NE(sources[0], sources[1]);
}

TEST(SubjectSourcesTest, WithAndWithoutAPgnNeverShareASource) {
  ListRow with = Child("R1", "Sem", "Visser", kBorn);
  with.identifier = *Identifier::Parse("123456782");
  std::vector<ListRow> rows = {with, Child("R2", "Sem", "Visser", kBorn)};
  auto sources = SubjectSources(rows);
  EXPECT_EQ(sources[0].basis, SubjectBasis::kPgn);
  EXPECT_EQ(sources[1].basis, SubjectBasis::kPerson) << "a PGN row does not count as a namesake";
}

}  // namespace
}  // namespace inbeeld::schema
