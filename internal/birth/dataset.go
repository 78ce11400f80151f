package birth

// The data set of a birth notification — the one place where it is defined.
//
// The decree of 4 February 2022 (Parl.St. Vl.Parl. 2020-2021, nr. 870)
// gives a legal frame for the cooperation of Kind en Gezin with maternity
// clinics, but the exact data set a clinic passes on is not public (see
// DOMAIN.md §1 and §2). Kansrijk serves the purpose — a clinic tells Kind en
// Gezin about a birth so that the local team of the family's place of
// residence can offer its preventive support to every family — with the
// smallest set that purpose needs, and keeps it here: when the legal text
// is known, this file (the fields, their columns in a CSV batch and the
// rules in Validate) is what follows it, without a redesign.
//
// What a notification holds:
//
//   - the mother: name, address (street, number, box, postcode, the NIS
//     code of the municipality of residence), telephone, e-mail and
//     preferred language (ISO 639-1, one of Languages);
//   - optionally a co-parent with the same fields (address, telephone,
//     e-mail and language may be left empty: the mother's apply);
//   - the child's date of birth;
//   - the clinic, always the caller's own organisation (never a field);
//   - whether the family asked for early contact.
//
// What it never holds: a national register number, anything medical, the
// child's name, anything about the family's situation. Any other field is
// refused (400 unknown_field in the API, unknown_column in a CSV batch)
// rather than silently stored or dropped.
//
// Rules (each with its own stable code, internal/apperr):
//
//   - mother.name (and co_parent.name when a co-parent is given) is
//     required, at most MaxName characters: name_required, field_too_long;
//   - street and number are required for the mother: address_required;
//     a co-parent's address is all empty (the mother's) or complete;
//   - postcode: four digits (postcode_invalid), one of the municipality's
//     postcodes on the date of birth (postcode_mismatch);
//   - municipality_nis: required (municipality_required), a municipality
//     Kind en Gezin serves — Flanders or Brussels — (municipality_unknown)
//     that exists on the date of birth, so that a 2024 birth uses the code
//     before the 2025 mergers and a 2025 birth the new one
//     (municipality_not_valid, naming the right code);
//   - at least a telephone number or an e-mail address for the mother:
//     contact_required; phone_invalid and email_invalid for bad ones;
//   - language: required for the mother (language_required), one of
//     Languages (language_unsupported);
//   - child_birth_date: required (birth_date_required), YYYY-MM-DD
//     (birth_date_invalid; a CSV batch also takes DD/MM/YYYY), not after
//     today (birth_date_future) and at most MaxBirthAgeMonths months ago
//     (birth_date_too_old).

// Field lengths.
const (
	MaxName   = 200
	MaxStreet = 200
	MaxNumber = 20
	MaxBox    = 20
	MaxEmail  = 254
)

// MaxBirthAgeMonths is how old a birth may be when it is notified: a birth
// notification is made around the birth, and an older one is no longer
// the early contact it exists for.
const MaxBirthAgeMonths = 3

// Languages are the preferred languages a family can give (ISO 639-1):
// Dutch first, then the languages Kind en Gezin most often meets or calls
// an interpreter for.
var Languages = []string{"nl", "fr", "en", "de", "ar", "tr", "pl", "ro", "bg", "es", "it", "pt", "ru", "uk", "so", "ti", "fa", "ps", "sq", "am"}

// ContactChannels are the ways a first contact can be made.
var ContactChannels = []string{"phone", "text_message", "email", "letter", "home_visit", "maternity_ward", "child_health_clinic"}
