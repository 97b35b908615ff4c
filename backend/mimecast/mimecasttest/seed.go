package mimecasttest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SeedData is state to preload. Empty ids are filled in.
type SeedData struct {
	Policies       []Policy
	Groups         []Group
	ManagedSenders []ManagedSender
	ManagedURLs    []ManagedURL
	Tracked        []TrackedMessage
	Archive        []ArchiveMessage
	ClickLogs      []ClickLog
	Held           []HeldMessage
	SearchLogs     []SearchLog
	// Aliases maps a primary address to its aliases.
	Aliases map[string][]Alias
}

// Seed adds d to the server's state.
func (s *Server) Seed(d SeedData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.policies = append(st.policies, withIDs(d.Policies, func(p *Policy) *string { return &p.ID })...)
	st.groups = append(st.groups, withIDs(d.Groups, func(g *Group) *string { return &g.ID })...)
	st.senders = append(st.senders, withIDs(d.ManagedSenders, func(m *ManagedSender) *string { return &m.ID })...)
	st.urls = append(st.urls, withIDs(d.ManagedURLs, func(m *ManagedURL) *string { return &m.ID })...)
	st.tracked = append(st.tracked, withIDs(d.Tracked, func(m *TrackedMessage) *string { return &m.ID })...)
	st.archive = append(st.archive, withIDs(d.Archive, func(m *ArchiveMessage) *string { return &m.ID })...)
	st.held = append(st.held, withIDs(d.Held, func(m *HeldMessage) *string { return &m.ID })...)
	st.clicks = append(st.clicks, d.ClickLogs...)
	st.searches = append(st.searches, d.SearchLogs...)
	for k, v := range d.Aliases {
		key := strings.ToLower(k)
		st.aliases[key] = append(st.aliases[key], v...)
	}
	for i := range st.groups {
		for j := range st.groups[i].Members {
			if st.groups[i].Members[j].ID == "" {
				st.groups[i].Members[j].ID = nextID()
			}
		}
	}
}

func withIDs[T any](in []T, id func(*T) *string) []T {
	out := slices.Clone(in)
	for i := range out {
		if p := id(&out[i]); *p == "" {
			*p = nextID()
		}
	}
	return out
}

// Message is a mail the demo mailbox holds, from which tracking, archive,
// click-log and hold-queue entries are made.
type Message struct {
	MessageID string // Internet Message-ID, with or without brackets
	From      string // "Name <addr>" or a bare address
	To        []string
	Subject   string
	Date      time.Time
	URLs      []string
	SenderIP  string
}

// SeedFromMessages makes the gateway's view of msgs: each is tracked and
// archived under a Mimecast id derived from its Message-ID (stable across
// runs), each URL gets a click by the first recipient ten minutes after
// delivery, and a message with a URL that looks malicious is also held.
func (s *Server) SeedFromMessages(msgs []Message) {
	var d SeedData
	for _, m := range msgs {
		t, a, clicks, held := fromMessage(m)
		d.Tracked = append(d.Tracked, t)
		d.Archive = append(d.Archive, a)
		d.ClickLogs = append(d.ClickLogs, clicks...)
		if held != nil {
			d.Held = append(d.Held, *held)
		}
	}
	s.Seed(d)
}

// MimecastID is the id SeedFromMessages gives the message with messageID,
// so a caller can find its tracking or archive entry directly.
func MimecastID(messageID string) string {
	sum := sha1.Sum([]byte(strings.ToLower(strings.Trim(strings.TrimSpace(messageID), "<>"))))
	return "eNo1" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func fromMessage(m Message) (TrackedMessage, ArchiveMessage, []ClickLog, *HeldMessage) {
	from, name := splitAddress(m.From)
	msgID := "<" + strings.Trim(strings.TrimSpace(m.MessageID), "<>") + ">"
	id := MimecastID(msgID)
	received := m.Date.Add(2 * time.Second)
	bad := slices.ContainsFunc(m.URLs, looksMalicious)
	t := TrackedMessage{ID: id, MessageID: msgID, From: from, FromName: name, To: m.To, Subject: m.Subject,
		Sent: m.Date, Received: received, SenderIP: m.SenderIP, RemoteHost: "mail." + domainOf(from),
		Route: "inbound", Status: "delivered", Info: "Message delivered", SpamScore: spamScore(id, bad),
		DetectionLevel: "relaxed", Policies: defaultPolicies}
	if bad {
		t.Status, t.Info = "held", "Held for review: suspicious URL"
	}
	a := ArchiveMessage{ID: id, MessageID: msgID, From: from, FromName: name, To: m.To, Subject: m.Subject,
		Received: received, Size: 2048 + 64*len(m.URLs), Preview: strings.Join(m.URLs, "\n"),
		Headers: []Header{{"From", m.From}, {"To", strings.Join(m.To, ", ")}, {"Subject", m.Subject},
			{"Date", m.Date.Format(time.RFC1123Z)}, {"Message-ID", msgID}}}
	var clicks []ClickLog
	for i, u := range m.URLs {
		clicks = append(clicks, clickFor(m, from, msgID, u, received.Add(time.Duration(10+i)*time.Minute)))
	}
	if !bad {
		return t, a, clicks, nil
	}
	h := &HeldMessage{ID: id, Received: received, Subject: m.Subject, From: from, FromName: name,
		To: first(m.To), Size: a.Size, Route: "inbound", Reason: "Suspected malicious URL",
		ReasonCode: "URL_PROTECT", ReasonID: "ttp_url", PolicyInfo: "Default URL Protect", HeldGroup: "administrator"}
	return t, a, clicks, h
}

var defaultPolicies = []AppliedPolicy{
	{Type: "URL Protect", Name: "Default URL Protect"},
	{Type: "Attachment Protect", Name: "Default Attachment Protect", Inherited: true},
	{Type: "Anti-Spoofing", Name: "Inbound anti-spoofing"},
}

func clickFor(m Message, from, msgID, u string, at time.Time) ClickLog {
	c := ClickLog{Date: at, URL: u, User: first(m.To), Action: "allow", ScanResult: "clean",
		Category: "Business", Route: "inbound", Definition: "Default URL Protect Definition",
		MessageID: msgID, Sender: from, Subject: m.Subject}
	if looksMalicious(u) {
		c.Action, c.ScanResult, c.Category = "block", "malicious", "Phishing & Fraud"
	}
	return c
}

// looksMalicious is a fixed heuristic, so seeded verdicts are the same on
// every run: an IP-literal host, a lure word, or a cheap TLD.
func looksMalicious(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if isIPHost(host) {
		return true
	}
	for _, tld := range []string{".zip", ".top", ".xyz", ".click", ".ru", ".tk"} {
		if strings.HasSuffix(host, tld) {
			return true
		}
	}
	lower := strings.ToLower(raw)
	for _, w := range []string{"login", "verify", "password", "account-update", "secure-", "wallet"} {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func spamScore(id string, bad bool) int {
	if bad {
		return 8
	}
	sum := sha256.Sum256([]byte(id))
	return int(sum[0] % 4)
}

func splitAddress(s string) (addr, name string) {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address, a.Name
	}
	return strings.TrimSpace(s), ""
}

// SampleData is plausible state for the demo and tests: policies, groups
// with members, managed senders and URLs, tracked, archived and held mail,
// click and search logs, and aliases, dated relative to now.
func SampleData(now time.Time) SeedData {
	day := now.Add(-3 * time.Hour)
	msgs := []Message{
		{MessageID: "<invoice-7731@billing-notice.top>", From: "Accounts <billing@billing-notice.top>",
			To: []string{"j.doe@example.com"}, Subject: "Overdue invoice 7731", Date: day,
			URLs: []string{"http://billing-notice.top/login?inv=7731"}, SenderIP: "203.0.113.66"},
		{MessageID: "<weekly-42@news.example.org>", From: "Example News <news@news.example.org>",
			To: []string{"j.doe@example.com", "a.smith@example.com"}, Subject: "Your weekly digest",
			Date: day.Add(30 * time.Minute), URLs: []string{"https://news.example.org/weekly/42"}, SenderIP: "198.51.100.20"},
	}
	var d SeedData
	for _, m := range msgs {
		t, a, c, h := fromMessage(m)
		d.Tracked, d.Archive, d.ClickLogs = append(d.Tracked, t), append(d.Archive, a), append(d.ClickLogs, c...)
		if h != nil {
			d.Held = append(d.Held, *h)
		}
	}
	d.Policies = []Policy{{Option: "block_sender", Description: "Block known invoice-fraud domain",
		FromType: "email_domain", FromValue: "billing-notice.top", ToType: "everyone",
		SourceIPs: []string{"203.0.113.0/24"}, CreateTime: now.AddDate(0, -1, 0), LastUpdated: now.AddDate(0, -1, 0)}}
	d.Groups = []Group{
		{Description: "VIP users", Source: "cloud", Members: []Member{
			{EmailAddress: "ceo@example.com", Name: "Chief Executive", Internal: true},
			{EmailAddress: "cfo@example.com", Name: "Chief Financial Officer", Internal: true}}},
		{Description: "Trusted partners", Source: "cloud", Members: []Member{{Domain: "partner.example.net"}}},
	}
	d.ManagedSenders = []ManagedSender{{Sender: "spam@bulk-mailer.xyz", To: "j.doe@example.com", Type: "Block"}}
	d.ManagedURLs = []ManagedURL{
		{URL: "http://billing-notice.top", Action: "block", MatchType: "domain", Comment: "invoice fraud campaign"},
		{URL: "https://intranet.example.com/sso", Action: "permit", MatchType: "explicit", Comment: "own SSO", DisableRewrite: true},
	}
	d.SearchLogs = []SearchLog{{Time: now.Add(-time.Hour), User: "analyst@example.com", Source: "archive",
		Text: "invoice 7731", Reason: "phishing investigation", Description: "Admin search", Admin: true, Path: "/api/archive/search"}}
	d.Aliases = map[string][]Alias{"j.doe@example.com": {
		{EmailAddress: "john.doe@example.com", DisplayName: "John Doe", Domain: "example.com", Type: "alias", Internal: true},
		{EmailAddress: "jd@example.co.uk", DisplayName: "John Doe", Domain: "example.co.uk", Type: "alias", Internal: true}}}
	return d
}
