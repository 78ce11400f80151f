package jobs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
)

// The outreach jobs: a daily reminder of the tasks due, and a weekly
// digest per team lead on Mondays. Like retention they run once per
// Brussels day across instances (store.ClaimDailyJob); their e-mails are
// queued in the outbox in the transaction that finishes the run
// (store.FinishDailyJobWithMails), so a crash loses nothing and nothing
// goes twice. They hold no data about families: municipalities, stages,
// tasks, mailings and counts only.

// Names of the outreach jobs in job_runs.
const (
	OutreachReminders = "outreach_reminders"
	OutreachDigest    = "outreach_digest"
)

// DefaultNoContactDays is after how many days without a contact moment a
// local government not signed up is listed in reminders and digests.
const DefaultNoContactDays = 90

// DefaultSendHour is the Brussels hour from which the outreach mails go
// out (nobody needs a reminder at midnight).
const DefaultSendHour = 7

// maxListed bounds the municipalities listed by name in one e-mail.
const maxListed = 40

// OutreachConfig configures the outreach jobs.
type OutreachConfig struct {
	// NoContactDays: see DefaultNoContactDays (0 means the default).
	NoContactDays int
	// SendHour: see DefaultSendHour (0 means the default).
	SendHour int
	// BaseURL is where people reach Kansrijk (links in the e-mails).
	BaseURL string
}

// NoContactDaysFromEnv reads KANSRIJK_OUTREACH_NO_CONTACT_DAYS (a whole
// number of days, 1 to 3650; empty: DefaultNoContactDays).
func NoContactDaysFromEnv(getenv func(string) string) (int, error) {
	v := strings.TrimSpace(getenv("KANSRIJK_OUTREACH_NO_CONTACT_DAYS"))
	if v == "" {
		return DefaultNoContactDays, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 3650 {
		return 0, fmt.Errorf("KANSRIJK_OUTREACH_NO_CONTACT_DAYS must be a whole number of days from 1 to 3650, not %q", v)
	}
	return n, nil
}

func (c OutreachConfig) noContactDays() int {
	if c.NoContactDays <= 0 {
		return DefaultNoContactDays
	}
	return c.NoContactDays
}

func (c OutreachConfig) sendHour() int {
	if c.SendHour <= 0 {
		return DefaultSendHour
	}
	return c.SendHour
}

func (c OutreachConfig) link(path string) string {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	return base + path
}

// runOutreach runs the outreach jobs that are due, logging failures.
func (s *Scheduler) runOutreach(ctx context.Context) {
	if _, err := s.RunReminders(ctx); err != nil && ctx.Err() == nil {
		s.log().Error("daily job", "job", OutreachReminders, "error", err)
	}
	if _, err := s.RunDigest(ctx); err != nil && ctx.Err() == nil {
		s.log().Error("weekly job", "job", OutreachDigest, "error", err)
	}
}

// brusselsHour is the hour of t in Brussels.
func brusselsHour(t time.Time) int {
	return t.In(brussels).Hour()
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// runOnce claims job on day, composes its mails and queues them with the
// end of the run; a failure releases the claim for the next check. It
// reports whether this call ran the job.
func (s *Scheduler) runOnce(ctx context.Context, job string, day time.Time, compose func() ([]store.StaffMail, string, error)) (bool, error) {
	won, err := s.DB.ClaimDailyJob(ctx, job, day)
	if err != nil || !won {
		return false, err
	}
	mails, result, err := compose()
	if err == nil {
		_, err = s.DB.FinishDailyJobWithMails(context.WithoutCancel(ctx), job, day, mails, result)
	}
	if err != nil {
		if rerr := s.DB.ReleaseDailyJob(context.WithoutCancel(ctx), job, day); rerr != nil {
			s.log().Error("release job", "job", job, "error", rerr)
		}
		return true, fmt.Errorf("%s: %w", job, err)
	}
	s.log().Info("outreach job finished", "job", job, "day", day.Format(time.DateOnly), "result", result)
	return true, nil
}

// RunReminders runs the daily reminder once per Brussels day, from
// SendHour: for every team with open tasks due today or overdue, one
// e-mail to each of its team leads (to its workers when it has no active
// lead) with those tasks and the local governments of its area not
// signed up and without a contact moment for NoContactDays days. A team
// without such tasks gets no reminder. It reports whether this call ran
// the job.
func (s *Scheduler) RunReminders(ctx context.Context) (bool, error) {
	now := s.DB.Now()
	if brusselsHour(now) < s.Outreach.sendHour() {
		return false, nil
	}
	day := store.BrusselsDay(now)
	return s.runOnce(ctx, OutreachReminders, day, func() ([]store.StaffMail, string, error) { return s.composeReminders(ctx, day) })
}

// RunDigest runs the weekly digest once on Mondays (Brussels), from
// SendHour: for every team, one e-mail to each active team lead with its
// area's stage counts and the changes of the past week, the tasks due in
// the coming week and overdue, the mailings sent to its area in the past
// week, and the local governments without contact. It reports whether
// this call ran the job.
func (s *Scheduler) RunDigest(ctx context.Context) (bool, error) {
	now := s.DB.Now()
	day := store.BrusselsDay(now)
	if day.Weekday() != time.Monday || brusselsHour(now) < s.Outreach.sendHour() {
		return false, nil
	}
	return s.runOnce(ctx, OutreachDigest, day, func() ([]store.StaffMail, string, error) { return s.composeDigests(ctx, day) })
}

// teamInfo is what the mails of one team need.
type teamInfo struct {
	key, name string
	noContact []outreach.MunicipalityStage
	area      []outreach.MunicipalityStage
}

// areas groups today's report by team, with the municipalities not signed
// up and without contact for NoContactDays (or never).
func (s *Scheduler) areas(rep outreach.Report) map[string]*teamInfo {
	out := map[string]*teamInfo{}
	n := s.Outreach.noContactDays()
	for _, m := range rep.Municipalities {
		if m.Team == "" {
			continue
		}
		ti := out[m.Team]
		if ti == nil {
			ti = &teamInfo{key: m.Team}
			out[m.Team] = ti
		}
		ti.area = append(ti.area, m)
		if slices.Contains(outreach.NotSignedUp, m.Stage) && (m.DaysSinceContact == nil || *m.DaysSinceContact >= n) {
			ti.noContact = append(ti.noContact, m)
		}
	}
	return out
}

// recipients returns a team's active leads, or its workers without a lead
// when fallback is set.
func (s *Scheduler) recipients(ctx context.Context, team string, fallback bool) ([]account.User, error) {
	users, err := s.DB.ActiveUsers(ctx, team, account.TeamLead)
	if err != nil || len(users) > 0 || !fallback {
		return users, err
	}
	return s.DB.ActiveUsers(ctx, team, account.TeamWorker)
}

func (s *Scheduler) teamName(ctx context.Context, key string) string {
	if o, err := s.DB.Organisation(ctx, key); err == nil && o.Name != "" {
		return o.Name
	}
	return key
}

func (s *Scheduler) composeReminders(ctx context.Context, day time.Time) ([]store.StaffMail, string, error) {
	overdue, err := s.DB.OverdueTasks(ctx, day)
	if err != nil {
		return nil, "", err
	}
	due, err := s.DB.DueTasks(ctx, day, day)
	if err != nil {
		return nil, "", err
	}
	byTeam := map[string][2][]outreach.Task{}
	var teams []string
	for i, list := range [][]outreach.Task{overdue, due} {
		for _, t := range list {
			if _, ok := byTeam[t.Team]; !ok {
				teams = append(teams, t.Team)
			}
			v := byTeam[t.Team]
			v[i] = append(v[i], t)
			byTeam[t.Team] = v
		}
	}
	slices.Sort(teams)
	if len(teams) == 0 {
		return nil, "no tasks due: no reminders", nil
	}
	rep, err := s.DB.OutreachReport(ctx, day)
	if err != nil {
		return nil, "", err
	}
	areas := s.areas(rep)
	var mails []store.StaffMail
	for _, team := range teams {
		users, err := s.recipients(ctx, team, true)
		if err != nil {
			return nil, "", err
		}
		info := areas[team]
		if info == nil {
			info = &teamInfo{key: team}
		}
		info.name = s.teamName(ctx, team)
		tasks := byTeam[team]
		for _, u := range users {
			subject, body := s.reminderText(u, info, tasks[0], tasks[1], day)
			mails = append(mails, store.StaffMail{UserID: u.ID, Org: team, Subject: subject, Body: body})
		}
	}
	return mails, fmt.Sprintf("reminders: %d e-mails for %d teams; %d tasks overdue, %d due today", len(mails), len(teams), len(overdue), len(due)), nil
}

func (s *Scheduler) composeDigests(ctx context.Context, day time.Time) ([]store.StaffMail, string, error) {
	teams, err := s.DB.Teams(ctx, day)
	if err != nil {
		return nil, "", err
	}
	weekAgo := day.AddDate(0, 0, -7)
	rep, err := s.DB.OutreachReport(ctx, day)
	if err != nil {
		return nil, "", err
	}
	before, err := s.DB.OutreachReport(ctx, weekAgo)
	if err != nil {
		return nil, "", err
	}
	stageThen := map[string]outreach.Stage{}
	for _, m := range before.Municipalities {
		stageThen[m.NIS] = m.Stage
	}
	overdue, err := s.DB.OverdueTasks(ctx, day)
	if err != nil {
		return nil, "", err
	}
	coming, err := s.DB.DueTasks(ctx, day, day.AddDate(0, 0, 6))
	if err != nil {
		return nil, "", err
	}
	mailings, err := s.DB.MailingsBetween(ctx, weekAgo, day.AddDate(0, 0, -1))
	if err != nil {
		return nil, "", err
	}
	areas := s.areas(rep)
	var mails []store.StaffMail
	digests := 0
	for _, t := range teams {
		if t.ValidTo != nil && t.ValidTo.Before(day) {
			continue
		}
		leads, err := s.recipients(ctx, t.Key, false)
		if err != nil {
			return nil, "", err
		}
		if len(leads) == 0 {
			continue
		}
		info := areas[t.Key]
		if info == nil {
			info = &teamInfo{key: t.Key}
		}
		info.name = t.Name
		d := digest{team: info, day: day, stageThen: stageThen}
		for _, task := range overdue {
			if task.Team == t.Key {
				d.overdue = append(d.overdue, task)
			}
		}
		for _, task := range coming {
			if task.Team == t.Key {
				d.coming = append(d.coming, task)
			}
		}
		for _, m := range mailings {
			n := 0
			for _, nis := range m.Municipalities {
				if slices.ContainsFunc(info.area, func(x outreach.MunicipalityStage) bool { return x.NIS == nis }) {
					n++
				}
			}
			if n > 0 {
				d.mailings = append(d.mailings, mailingLine{m, n})
			}
		}
		digests++
		for _, u := range leads {
			subject, body := s.digestText(u, d)
			mails = append(mails, store.StaffMail{UserID: u.ID, Org: t.Key, Subject: subject, Body: body})
		}
	}
	return mails, fmt.Sprintf("digest: %d e-mails for %d teams", len(mails), digests), nil
}

// ---- The texts (Dutch) ----

// stageNL names the stages in the e-mails.
var stageNL = map[outreach.Stage]string{
	outreach.NotInformed: "niet geïnformeerd", outreach.Informed: "geïnformeerd", outreach.InConversation: "in gesprek",
	outreach.SignedUp: "aangemeld", outreach.Drafting: "overeenkomst in opmaak", outreach.Approved: "goedgekeurd",
	outreach.Signed: "ondertekend", outreach.Active: "actief", outreach.Ended: "beëindigd",
}

func dmy(t time.Time) string { return t.Format("02-01-2006") }

func greeting(u account.User) string {
	if u.Name != "" {
		return "Goedemorgen " + u.Name + ",\n\n"
	}
	return "Goedemorgen,\n\n"
}

const mailFooter = "\n--\nDit is een automatisch bericht van Kansrijk. Het bevat geen gegevens over gezinnen.\n"

func writeTasks(b *strings.Builder, tasks []outreach.Task, day time.Time) {
	for _, t := range tasks {
		fmt.Fprintf(b, "- %s: %s (vervaldag %s", t.Municipality, t.Title, dmy(t.DueOn))
		if late := int(day.Sub(t.DueOn).Hours() / 24); late > 0 {
			fmt.Fprintf(b, ", %d %s te laat", late, plural(late, "dag", "dagen"))
		}
		b.WriteString(")\n")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeNoContact lists the municipalities without contact, at most
// maxListed by name.
func (s *Scheduler) writeNoContact(b *strings.Builder, list []outreach.MunicipalityStage) {
	n := s.Outreach.noContactDays()
	if len(list) == 0 {
		fmt.Fprintf(b, "Alle lokale besturen in uw werkgebied die nog niet aangemeld zijn, hadden de voorbije %d dagen een contactmoment.\n", n)
		return
	}
	fmt.Fprintf(b, "Lokale besturen in uw werkgebied, nog niet aangemeld, zonder contactmoment sinds minstens %d dagen (%d):\n", n, len(list))
	for i, m := range list {
		if i == maxListed {
			fmt.Fprintf(b, "- en nog %d andere\n", len(list)-maxListed)
			break
		}
		if m.DaysSinceContact == nil {
			fmt.Fprintf(b, "- %s (%s): nog nooit een contactmoment\n", m.Name, stageNL[m.Stage])
		} else {
			fmt.Fprintf(b, "- %s (%s): laatste contact op %s, %d dagen geleden\n", m.Name, stageNL[m.Stage], dmyISO(m.LastContact), *m.DaysSinceContact)
		}
	}
}

func dmyISO(s string) string {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return dmy(t)
	}
	return s
}

func (s *Scheduler) reminderText(u account.User, team *teamInfo, overdue, due []outreach.Task, day time.Time) (string, string) {
	n := len(overdue) + len(due)
	subject := fmt.Sprintf("Kansrijk: %d %s te doen voor %s", n, plural(n, "taak", "taken"), team.name)
	var b strings.Builder
	b.WriteString(greeting(u))
	fmt.Fprintf(&b, "Dit zijn de taken van %s in de toeleiding van lokale besturen die vandaag vervallen of over tijd zijn (stand op %s).\n\n", team.name, dmy(day))
	if len(overdue) > 0 {
		fmt.Fprintf(&b, "Over tijd (%d):\n", len(overdue))
		writeTasks(&b, overdue, day)
		b.WriteString("\n")
	}
	if len(due) > 0 {
		fmt.Fprintf(&b, "Vandaag (%d):\n", len(due))
		writeTasks(&b, due, day)
		b.WriteString("\n")
	}
	s.writeNoContact(&b, team.noContact)
	fmt.Fprintf(&b, "\nDe taken in Kansrijk: %s\n", s.Outreach.link("/outreach/tasks"))
	b.WriteString(mailFooter)
	return subject, b.String()
}

// digest is the content of one team's weekly digest.
type digest struct {
	team            *teamInfo
	day             time.Time
	stageThen       map[string]outreach.Stage
	overdue, coming []outreach.Task
	mailings        []mailingLine
}

type mailingLine struct {
	m store.MailingSummary
	n int // municipalities of the area reached
}

func (s *Scheduler) digestText(u account.User, d digest) (string, string) {
	subject := fmt.Sprintf("Kansrijk: weekoverzicht toeleiding %s, week van %s", d.team.name, dmy(d.day))
	var b strings.Builder
	b.WriteString(greeting(u))
	fmt.Fprintf(&b, "Het weekoverzicht van de toeleiding van lokale besturen in het werkgebied van %s (stand op %s).\n\n", d.team.name, dmy(d.day))

	counts := map[outreach.Stage]int{}
	for _, m := range d.team.area {
		counts[m.Stage]++
	}
	fmt.Fprintf(&b, "Fasen van de %d lokale besturen in uw werkgebied:\n", len(d.team.area))
	for _, st := range outreach.Stages {
		if counts[st] > 0 {
			fmt.Fprintf(&b, "- %s: %d\n", stageNL[st], counts[st])
		}
	}
	var changes []string
	for _, m := range d.team.area {
		if then, ok := d.stageThen[m.NIS]; ok && then != m.Stage {
			changes = append(changes, fmt.Sprintf("- %s: van %s naar %s\n", m.Name, stageNL[then], stageNL[m.Stage]))
		}
	}
	fmt.Fprintf(&b, "\nVeranderd sinds %s (%d):\n", dmy(d.day.AddDate(0, 0, -7)), len(changes))
	if len(changes) == 0 {
		b.WriteString("- geen\n")
	}
	for _, c := range changes {
		b.WriteString(c)
	}

	fmt.Fprintf(&b, "\nTaken over tijd (%d):\n", len(d.overdue))
	if len(d.overdue) == 0 {
		b.WriteString("- geen\n")
	}
	writeTasks(&b, d.overdue, d.day)
	fmt.Fprintf(&b, "\nTaken die deze week vervallen (%d):\n", len(d.coming))
	if len(d.coming) == 0 {
		b.WriteString("- geen\n")
	}
	writeTasks(&b, d.coming, d.day)

	fmt.Fprintf(&b, "\nMailings naar uw werkgebied in de voorbije week (%d):\n", len(d.mailings))
	if len(d.mailings) == 0 {
		b.WriteString("- geen\n")
	}
	for _, l := range d.mailings {
		fmt.Fprintf(&b, "- %s: \"%s\", naar %d %s\n", dmy(l.m.On), l.m.Subject, l.n, plural(l.n, "lokaal bestuur", "lokale besturen"))
	}
	b.WriteString("\n")
	s.writeNoContact(&b, d.team.noContact)
	fmt.Fprintf(&b, "\nDe doellijst van uw werkgebied: %s\n", s.Outreach.link("/outreach/targets?team="+d.team.key))
	b.WriteString(mailFooter)
	return subject, b.String()
}
