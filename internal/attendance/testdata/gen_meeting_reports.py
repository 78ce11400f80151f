#!/usr/bin/env python3
"""Writes the meeting-report test files as the programs write them (see README.md).

Teams and Webex: UTF-16LE with BOM, tab-separated, CRLF. Zoom: UTF-8 without BOM, comma,
CRLF. Excel (Windows, Belgian locale) "CSV (gescheiden door lijstscheidingsteken)":
Windows-1252, ';', CRLF. All people and addresses are fictitious.
"""

def write(name, lines, enc, bom=b""):
    with open(name, "wb") as f:
        f.write(bom + "\r\n".join(lines).encode(enc) + "\r\n".encode(enc))

T = "\t"

teams_nl = [
    "1. Samenvatting",
    T.join(["Titel van vergadering", "Infosessie Kansrijk voor lokale besturen"]),
    T.join(["Deelnemers die aanwezig waren", "10"]),
    T.join(["Begintijd", "11-3-2025 09:58:12"]),
    T.join(["Eindtijd", "11-3-2025 11:31:40"]),
    T.join(["Vergaderingsduur", "1 u 33 m 28 s"]),
    T.join(["Gemiddelde aanwezigheidstijd", "1 u 10 m 3 s"]),
    "",
    "2. Deelnemers",
    T.join(["Naam", "Eerste deelname", "Laatste vertrek", "Duur in vergadering", "E-mailadres", "Deelnemer-id (UPN)", "Rol"]),
    T.join(["Els Claes (Gemeente Sint-Niklaas) (Gast)", "11-3-2025 10:01:05", "11-3-2025 11:30:00", "1 u 28 m 55 s", "els.claes@sint-niklaas.be", "els.claes_sint-niklaas.be#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Team Demo (Kansrijk)", "11-3-2025 09:58:12", "11-3-2025 11:31:40", "1 u 33 m 28 s", "team.demo@example.org", "team.demo@example.org", "Organisator"]),
    T.join(["Demo Deelnemer (OCMW Lokeren) (Gast)", "11-3-2025 10:00:40", "11-3-2025 11:15:00", "1 u 14 m 20 s", "demo.deelnemer@lokeren.be", "demo.deelnemer_lokeren.be#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Test Persoon (Gast)", "11-3-2025 10:03:00", "11-3-2025 11:29:00", "1 u 26 m", "", "test.persoon_zwijndrecht.be#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Proef Persoon (Stad Gent) (Gast)", "11-3-2025 10:05:00", "11-3-2025 10:50:00", "45 m", "proef.persoon@stad.gent", "proef.persoon_stad.gent#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Zoë Voorbeeld (Lokaal bestuur Pajottegem) (Gast)", "11-3-2025 10:00:00", "11-3-2025 11:00:00", "1 u", "zoe.voorbeeld@example.org", "zoe.voorbeeld_example.org#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Anaïs Demo (Gemeente Sint-Gillis) (Gast)", "11-3-2025 10:02:00", "11-3-2025 11:00:00", "58 m", "anais.demo@example.org", "anais.demo_example.org#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Fictief Iemand (Gast)", "11-3-2025 10:10:00", "11-3-2025 10:40:00", "30 m", "fictief.iemand@example.net", "fictief.iemand_example.net#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Jan Tegenspraak (Gemeente Lokeren) (Gast)", "11-3-2025 10:00:00", "11-3-2025 11:00:00", "1 u", "jan.tegenspraak@sint-niklaas.be", "jan.tegenspraak_sint-niklaas.be#EXT#@kansrijkdemo.onmicrosoft.com", "Deelnemer"]),
    T.join(["Loïc Spreker (OCMW Sint-Gillis-Waas)", "11-3-2025 09:59:00", "11-3-2025 11:31:00", "1 u 32 m", "loic.spreker@sint-gillis-waas.be", "loic.spreker@sint-gillis-waas.be", "Presentator"]),
    "",
    "3. Activiteiten in de vergadering",
    T.join(["Naam", "Deelnametijd", "Vertrektijd", "Duur", "E-mailadres", "Rol"]),
    T.join(["Els Claes (Gemeente Sint-Niklaas) (Gast)", "11-3-2025 10:01:05", "11-3-2025 10:40:00", "38 m 55 s", "els.claes@sint-niklaas.be", "Deelnemer"]),
    T.join(["Els Claes (Gemeente Sint-Niklaas) (Gast)", "11-3-2025 10:45:00", "11-3-2025 11:30:00", "45 m", "els.claes@sint-niklaas.be", "Deelnemer"]),
]
write("teams_nl_utf16le.csv", teams_nl, "utf-16-le", b"\xff\xfe")

teams_en = [
    "1. Summary",
    T.join(["Meeting title", "Kansrijk information session for local governments"]),
    T.join(["Attended participants", "4"]),
    T.join(["Start time", "3/11/25, 9:58:12 AM"]),
    T.join(["End time", "3/11/25, 11:31:40 AM"]),
    T.join(["Meeting duration", "1h 33m 28s"]),
    T.join(["Average attendance time", "1h 10m 3s"]),
    "",
    "2. Participants",
    T.join(["Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"]),
    T.join(["Els Claes (Gemeente Sint-Niklaas) (Guest)", "3/11/25, 10:01:05 AM", "3/11/25, 11:30:00 AM", "1h 28m 55s", "els.claes@sint-niklaas.be", "els.claes_sint-niklaas.be#EXT#@kansrijkdemo.onmicrosoft.com", "Attendee"]),
    T.join(["Team Demo", "3/11/25, 9:58:12 AM", "3/11/25, 11:31:40 AM", "1h 33m 28s", "team.demo@example.org", "team.demo@example.org", "Organizer"]),
    T.join(["Demo Deelnemer (Stad Hasselt) (Guest)", "3/11/25, 10:00:40 AM", "3/11/25, 11:15:00 AM", "1h 14m 20s", "demo.deelnemer@hasselt.be", "demo.deelnemer_hasselt.be#EXT#@kansrijkdemo.onmicrosoft.com", "Attendee"]),
    T.join(["Proef Persoon (Unverified)", "3/11/25, 10:05:00 AM", "3/11/25, 10:50:00 AM", "45m", "", "", "Attendee"]),
    "",
    "3. In-Meeting Activities",
    T.join(["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"]),
    T.join(["Els Claes (Gemeente Sint-Niklaas) (Guest)", "3/11/25, 10:01:05 AM", "3/11/25, 11:30:00 AM", "1h 28m 55s", "els.claes@sint-niklaas.be", "Attendee"]),
]
write("teams_en_utf16le.csv", teams_en, "utf-16-le", b"\xff\xfe")

C = ","
zoom_meeting = [
    C.join(["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"]),
    C.join(["812 3456 7890", "Infosessie Kansrijk", "03/11/2025 09:58:12 AM", "03/11/2025 11:31:40 AM", "team.demo@example.org", "94", "5"]),
    "",
    C.join(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest", "Recording Consent"]),
    C.join(["Team Demo", "team.demo@example.org", "03/11/2025 09:58:12 AM", "03/11/2025 11:31:40 AM", "94", "No", ""]),
    C.join(["Els (Els Claes (Gemeente Sint-Niklaas))", "els.claes@sint-niklaas.be", "03/11/2025 10:01:05 AM", "03/11/2025 11:30:00 AM", "89", "Yes", "Y"]),
    C.join(["Demo Deelnemer", "demo.deelnemer@ocmw-lokeren.be", "03/11/2025 10:00:40 AM", "03/11/2025 11:15:00 AM", "75", "Yes", "Y"]),
    C.join(["Demo Deelnemer", "demo.deelnemer@ocmw-lokeren.be", "03/11/2025 11:16:00 AM", "03/11/2025 11:30:00 AM", "14", "Yes", "Y"]),
    C.join(["iPhone van Proef", "", "03/11/2025 10:05:00 AM", "03/11/2025 10:50:00 AM", "45", "Yes", ""]),
]
write("zoom_meeting_participants.csv", zoom_meeting, "utf-8")

zoom_webinar = [
    "Attendee Report,",
    'Report Generated:,"03/11/2025 12:15 PM"',
    C.join(["Topic", "Webinar ID", "Actual Start Time", "Actual Duration (minutes)", "# Registered", "# Cancelled", "Unique Viewers", "Total Users", "Max Concurrent Views", ""]),
    C.join(["Webinar Kansrijk", "812 3456 7890", '"03/11/2025 09:58:12 AM"', "94", "5", "0", "4", "5", "4", ""]),
    "Host Details,",
    C.join(["Attended", "User Name (Original Name)", "Email", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name", ""]),
    C.join(["Yes", "Team Demo", "team.demo@example.org", '"03/11/2025 09:50:00 AM"', '"03/11/2025 11:35:00 AM"', "105", "No", "Belgium", ""]),
    "Panelist Details,",
    C.join(["Attended", "User Name (Original Name)", "Email", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name", ""]),
    C.join(["Yes", "Demo Spreker", "demo.spreker@example.org", '"03/11/2025 09:55:00 AM"', '"03/11/2025 11:31:00 AM"', "96", "No", "Belgium", ""]),
    "Attendee Details,",
    C.join(["Attended", "User Name (Original Name)", "First Name", "Last Name", "Email", "City", "Country/Region", "Zip/Postal Code", "State/Province", "Organization", "Job Title", "Registration Time", "Approval Status", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name", ""]),
    C.join(["Yes", "Els Claes", "Els", "Claes", "els.claes@sint-niklaas.be", "Sint-Niklaas", "Belgium", "9100", "Oost-Vlaanderen", "Gemeente Sint-Niklaas", "Beleidsmedewerker", '"03/01/2025 09:00:00 AM"', "approved", '"03/11/2025 10:01:00 AM"', '"03/11/2025 11:30:00 AM"', "89", "Yes", "Belgium", ""]),
    C.join(["No", "Test Persoon", "Test", "Persoon", "test.persoon@example.org", "Sint-Gillis", "Belgium", "9170", "Oost-Vlaanderen", "OCMW", "Maatschappelijk werker", '"03/02/2025 02:12:00 PM"', "approved", "--", "--", "--", "Yes", "Belgium", ""]),
    C.join(["Yes", "Proef Persoon", "Proef", "Persoon", "proef.persoon@example.org", "Sint-Gillis", "Belgium", "", "", "OCMW", "Directeur", '"03/03/2025 08:30:00 AM"', "approved", '"03/11/2025 10:00:00 AM"', '"03/11/2025 11:30:00 AM"', "90", "Yes", "Belgium", ""]),
    C.join(["Yes", "Zoë Voorbeeld", "Zoë", "Voorbeeld", "zoe.voorbeeld@example.org", "Hasselt", "Belgium", "3500", "Limburg", "Stad Hasselt", "Schepen", '"03/03/2025 11:00:00 AM"', "approved", '"03/11/2025 10:05:00 AM"', '"03/11/2025 11:00:00 AM"', "55", "Yes", "Belgium", ""]),
    "Other Attended,",
    C.join(["User Name (Original Name)", "Email", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name", ""]),
    C.join(["Fictief Iemand", "fictief.iemand@example.net", '"03/11/2025 10:20:00 AM"', '"03/11/2025 10:40:00 AM"', "20", "Yes", "Belgium", ""]),
]
write("zoom_webinar_attendee_report.csv", zoom_webinar, "utf-8")

webex = [
    T.join(["Name", "Email", "Date", "Invited", "Registered", "Duration"]),
    T.join(["Els Claes", "els.claes@sint-niklaas.be", "11/03/2025 10:01", "Yes", "Yes", "89 mins"]),
    T.join(["Demo Deelnemer", "demo.deelnemer@gemeente-kortenberg.be", "11/03/2025 10:00", "No", "Yes", "75 mins"]),
    T.join(["Test Persoon", "test.persoon@pajottegem.be", "11/03/2025 10:03", "Yes", "Yes", "0 mins"]),
    T.join(["Proef Persoon", "proef.persoon@example.org", "11/03/2025 10:05", "Yes", "No", "45 mins"]),
]
write("webex_attendees_utf16le.csv", webex, "utf-16-le", b"\xff\xfe")

S = ";"
excel = [
    S.join(["Naam", "Gemeente", "Postcode", "E-mail", "Aanwezig"]),
    S.join(["Anaïs Demo", "Sint-Gillis", "", "anais.demo@example.org", "ja"]),
    S.join(["Zoë Voorbeeld", "Sint-Gillis", "9170", "zoe.voorbeeld@example.org", "ja"]),
    S.join(["René Proef", "Sint-Gillis-Waas", "", "rene.proef@example.org", "nee"]),
    S.join(["François Test", "Saint-Gilles", "", "francois.test@example.org", "ja"]),
    S.join(["Jérôme Fictief", "St.-Niklaas", "", "jerome.fictief@example.org", "ja"]),
]
write("excel_sint_gillis_cp1252.csv", excel, "cp1252")
