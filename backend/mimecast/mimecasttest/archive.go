package mimecasttest

import (
	"encoding/xml"
	"slices"
	"strings"
	"time"
)

func addr(email, name string) map[string]any {
	if name == "" {
		name = email
	}
	return map[string]any{"emailAddress": email, "displayableName": name}
}

func addrs(list []string) []any {
	out := make([]any, len(list))
	for i, a := range list {
		out[i] = addr(a, "")
	}
	return out
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

func archiveRow(m ArchiveMessage) any {
	return map[string]any{"id": m.ID, "subject": m.Subject, "from": addr(m.From, m.FromName),
		"to": addr(first(m.To), ""), "received": apiTime(m.Received), "size": m.Size,
		"attachmentCount": len(m.Attachments), "status": "ARCHIVED", "smash": "", "read": false,
		"ccm": false, "recalled": false, "expired": false}
}

func (s *Server) messageList(r *apiRequest) result {
	var in struct {
		View           string `json:"view"`
		Mailbox        string `json:"mailbox"`
		Start          string `json:"start"`
		End            string `json:"end"`
		IncludeAliases bool   `json:"includeAliases"`
	}
	_ = r.item(0, &in)
	if in.View == "" {
		in.View = "INBOX"
	}
	if in.View != "INBOX" && in.View != "SENT" {
		return failed(fail(r.Data, "err_validation_invalid_value", "view must be INBOX or SENT", "view"))
	}
	mailbox := in.Mailbox
	if mailbox == "" {
		mailbox = s.opts.APIUser
	}
	start, end := s.monthRange(in.Start, in.End)
	var rows []any
	for _, m := range s.st.archive {
		if within(m.Received, start, end) && s.inMailbox(m, in.View, mailbox, in.IncludeAliases) {
			rows = append(rows, archiveRow(m))
		}
	}
	return s.pagedDirect(r, rows)
}

// monthRange reads start/end with get-message-list's defaults: the start of
// last calendar month to the end of today.
func (s *Server) monthRange(from, to string) (time.Time, time.Time) {
	now := s.opts.Now().UTC()
	start, ok := parseTime(from)
	if !ok {
		start = time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	}
	end, ok := parseTime(to)
	if !ok {
		end = time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC)
	}
	return start, end
}

func (s *Server) inMailbox(m ArchiveMessage, view, mailbox string, aliases bool) bool {
	boxes := []string{mailbox}
	if aliases {
		for _, a := range s.st.aliases[strings.ToLower(mailbox)] {
			boxes = append(boxes, a.EmailAddress)
		}
	}
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(a string) bool {
			return slices.ContainsFunc(boxes, func(b string) bool { return strings.EqualFold(a, b) })
		})
	}
	if view == "SENT" {
		return has([]string{m.From})
	}
	return has(m.To) || has(m.CC)
}

func (s *Server) messageDetail(r *apiRequest) result {
	return eachItem(r, func(in idIn) (any, *failure) {
		i := indexByID(s.st.archive, in.ID, func(m ArchiveMessage) string { return m.ID })
		if i < 0 {
			return nil, bad("err_archive_message_not_found", "no archived message with that id", "id")
		}
		return detailOut(s.st.archive[i]), nil
	})
}

func detailOut(m ArchiveMessage) any {
	headers := make([]any, len(m.Headers))
	for i, h := range m.Headers {
		headers[i] = map[string]any{"name": h.Name, "values": []string{h.Value}}
	}
	atts := make([]any, len(m.Attachments))
	for i, a := range m.Attachments {
		ext := ""
		if j := strings.LastIndexByte(a.Filename, '.'); j >= 0 {
			ext = a.Filename[j+1:]
		}
		atts[i] = map[string]any{"id": a.ID, "filename": a.Filename, "extension": ext,
			"contentType": a.ContentType, "contentId": "", "bodyType": "ATTACHMENT", "sha256": a.SHA256, "size": a.Size}
	}
	return map[string]any{"id": m.ID, "status": "ARCHIVED", "smash": "", "mimeMessageId": m.MessageID,
		"subject": m.Subject, "size": m.Size, "received": apiTime(m.Received), "processed": apiTime(m.Received),
		"headerDate": apiTime(m.Received), "hasHtmlBody": false, "hasTextBody": true, "isPassthrough": false,
		"messageBodyPreview": m.Preview, "from": addr(m.From, m.FromName), "envelopeFrom": addr(m.From, ""),
		"replyTo": addr(m.From, m.FromName), "to": addrs(m.To), "cc": addrs(m.CC),
		"headers": headers, "attachments": atts}
}

// xmlQuery is the part of the archive search XML the server honours.
type xmlQuery struct {
	Metadata struct {
		Mailboxes []string `xml:"mailboxes>mailbox"`
	} `xml:"metadata"`
	Muse struct {
		Text string `xml:"text"`
		Date struct {
			Select string `xml:"select,attr"`
			From   string `xml:"from,attr"`
			To     string `xml:"to,attr"`
		} `xml:"date"`
		Docs struct {
			Select string `xml:"select,attr"`
		} `xml:"docs"`
	} `xml:"muse"`
}

func (s *Server) archiveSearch(r *apiRequest) result {
	var in struct {
		Admin bool   `json:"admin"`
		Query string `json:"query"`
	}
	_ = r.item(0, &in)
	var q xmlQuery
	if err := xml.Unmarshal([]byte(in.Query), &q); err != nil {
		return failed(fail(r.Data, "err_xml_query_invalid", "query is not a valid XML query", "query"))
	}
	if len(q.Metadata.Mailboxes) == 0 && !in.Admin {
		q.Metadata.Mailboxes = []string{s.opts.APIUser}
	}
	start, end, okRange := s.periodRange(q.Muse.Date.Select, q.Muse.Date.From, q.Muse.Date.To)
	if !okRange {
		return failed(fail(r.Data, "err_xml_query_invalid", "unknown date select", "query"))
	}
	var hits []any
	for _, m := range s.st.archive {
		if within(m.Received, start, end) && matchesSearch(m, q) {
			hits = append(hits, hitOut(m))
		}
	}
	if r.Meta.Pagination.PageToken == "" {
		s.st.searches = append(s.st.searches, SearchLog{Time: s.opts.Now(), User: s.opts.APIUser, Source: "archive",
			Text: q.Muse.Text, Admin: in.Admin, Path: "/api/archive/search", Description: "API archive search"})
	}
	return s.pagedDirect(r, hits)
}

func matchesSearch(m ArchiveMessage, q xmlQuery) bool {
	if len(q.Metadata.Mailboxes) > 0 {
		box := slices.ContainsFunc(q.Metadata.Mailboxes, func(b string) bool {
			b = strings.TrimSpace(b)
			return strings.EqualFold(m.From, b) || slices.ContainsFunc(m.To, func(t string) bool { return strings.EqualFold(t, b) })
		})
		if !box {
			return false
		}
	}
	if sel := q.Muse.Docs.Select; sel != "" && sel != "optional" && sel != "any" && (sel == "none") != (len(m.Attachments) == 0) {
		return false
	}
	text := strings.TrimSpace(q.Muse.Text)
	return text == "" || containsFold(m.Subject+"\n"+m.From+"\n"+strings.Join(m.To, "\n")+"\n"+m.Preview, text)
}

func (s *Server) periodRange(sel, from, to string) (time.Time, time.Time, bool) {
	now := s.opts.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch sel {
	case "", "all":
		return time.Time{}, now.AddDate(100, 0, 0), true
	case "today":
		return today, now, true
	case "yesterday":
		return today.AddDate(0, 0, -1), today, true
	case "last_week":
		return now.AddDate(0, 0, -7), now, true
	case "last_month":
		return now.AddDate(0, -1, 0), now, true
	case "last_year":
		return now.AddDate(-1, 0, 0), now, true
	case "between":
		f, ok1 := parseTime(from)
		t, ok2 := parseTime(to)
		return f, t, ok1 && ok2
	}
	return time.Time{}, time.Time{}, false
}

func hitOut(m ArchiveMessage) any {
	return map[string]any{"id": m.ID, "subject": m.Subject, "displayfrom": m.FromName,
		"displayfromaddress": m.From, "displayto": strings.Join(m.To, ", "), "displaytoaddresslist": m.To,
		"receiveddate": apiTime(m.Received), "size": m.Size, "attachmentcount": len(m.Attachments),
		"status": "ARCHIVED", "smash": ""}
}

func (s *Server) searchLogs(r *apiRequest) result {
	var in struct {
		Query string `json:"query"`
		Start string `json:"start"`
		End   string `json:"end"`
	}
	_ = r.item(0, &in)
	start, end := s.dayRange(in.Start, in.End)
	if _, ok := parseTime(in.End); !ok {
		end = start.Add(24*time.Hour - time.Second) // default: end of the current day
	}
	var logs []any
	for _, l := range s.st.searches {
		if within(l.Time, start, end) && (in.Query == "" || containsFold(l.Text+" "+l.User, in.Query)) {
			logs = append(logs, map[string]any{"createTime": apiTime(l.Time), "emailAddr": l.User,
				"source": l.Source, "searchText": l.Text, "searchReason": l.Reason, "description": l.Description,
				"museQuery": l.Text, "isAdmin": l.Admin, "searchPath": l.Path})
		}
	}
	return s.pagedNested(r, "logs", logs, nil)
}
