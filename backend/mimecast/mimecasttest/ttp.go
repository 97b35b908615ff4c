package mimecasttest

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EncodeURL rewrites u the way URL Protect rewrites links in mail, in a
// form this server's decode-url understands.
func EncodeURL(u string) string {
	host := ""
	if p, err := url.Parse(u); err == nil {
		host = p.Hostname()
	}
	return "https://protect-eu.mimecast.com/s/" + base64.RawURLEncoding.EncodeToString([]byte(u)) +
		"?domain=" + url.QueryEscape(host)
}

// decodeRewritten reverses EncodeURL.
func decodeRewritten(enc string) (string, bool) {
	p, err := url.Parse(strings.TrimSpace(enc))
	if err != nil || !strings.HasSuffix(p.Hostname(), "mimecast.com") && !strings.HasSuffix(p.Hostname(), "mimecastprotect.com") {
		return "", false
	}
	tok, ok := strings.CutPrefix(p.Path, "/s/")
	if !ok {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) == 0 {
		return "", false
	}
	return string(raw), true
}

func (s *Server) decodeURL(r *apiRequest) result {
	type in struct {
		URL string `json:"url"`
	}
	return eachItem(r, func(v in) (any, *failure) {
		orig, ok := decodeRewritten(v.URL)
		if !ok {
			return nil, bad("err_ttp_url_decode_failed", "not a URL Protect rewritten link", "url")
		}
		return map[string]any{"url": orig, "success": true}, nil
	})
}

func clickOut(c ClickLog) any {
	return map[string]any{
		"date": apiTime(c.Date), "url": c.URL, "userEmailAddress": c.User, "action": c.Action,
		"adminOverride": "N/A", "userOverride": "None", "userAwarenessAction": "n/a",
		"scanResult": c.ScanResult, "category": c.Category, "route": c.Route,
		"ttpDefinition": c.Definition, "emailPartsDescription": []string{"Body"},
		"messageId": c.MessageID, "fromUserEmailAddress": c.Sender, "subject": c.Subject,
	}
}

// dayRange reads from/to with the API's defaults: start of today to now.
func (s *Server) dayRange(from, to string) (time.Time, time.Time) {
	now := s.opts.Now().UTC()
	start, ok := parseTime(from)
	if !ok {
		start = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	end, ok := parseTime(to)
	if !ok {
		end = now
	}
	return start, end
}

func within(t, start, end time.Time) bool { return !t.Before(start) && !t.After(end) }

func (s *Server) clickLogs(r *apiRequest) result {
	var in struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Route       string `json:"route"`
		ScanResult  string `json:"scanResult"`
		OldestFirst bool   `json:"oldestFirst"`
	}
	_ = r.item(0, &in)
	start, end := s.dayRange(in.From, in.To)
	var logs []ClickLog
	for _, c := range s.st.clicks {
		if within(c.Date, start, end) && oneOrAll(in.Route, c.Route) && oneOrAll(in.ScanResult, c.ScanResult) {
			logs = append(logs, c)
		}
	}
	slices.SortStableFunc(logs, func(a, b ClickLog) int {
		if in.OldestFirst {
			return a.Date.Compare(b.Date)
		}
		return b.Date.Compare(a.Date)
	})
	return s.pagedNested(r, "clickLogs", mapSlice(logs, clickOut), nil)
}

// oneOrAll matches a filter that is empty or "all" or equal to v.
func oneOrAll(filter, v string) bool {
	return filter == "" || filter == "all" || strings.EqualFold(filter, v)
}
