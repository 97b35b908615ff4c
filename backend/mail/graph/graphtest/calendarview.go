package graphtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// calendarView as Graph serves it: the events overlapping
// [startDateTime, endDateTime), a series expanded into its occurrences
// (type "occurrence", seriesMasterId), soonest first. Daily and weekly
// patterns with endDate, numbered or noEnd ranges are expanded; other
// patterns show the series' first occurrence only.

const wireTime = "2006-01-02T15:04:05.0000000"

// EventAttachment is a file attached to an event.
type EventAttachment struct {
	Name, ContentType string
	Data              []byte
	Inline            bool
}

// AddEventAttachment attaches a file to the event with id (a series'
// attachments belong to its master).
func (s *Server) AddEventAttachment(id string, a EventAttachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.id == id {
			e.attachments = append(e.attachments, a)
			e.data["hasAttachments"] = true
		}
	}
}

func (s *Server) eventByID(id string) *event {
	for _, e := range s.events {
		if e.id == id {
			return e
		}
	}
	return nil
}

func (s *Server) listEventAttachments(w http.ResponseWriter, r *http.Request, id string) {
	e := s.eventByID(id)
	if e == nil {
		graphError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
		return
	}
	items := make([]map[string]any, 0, len(e.attachments))
	for i, a := range e.attachments {
		items = append(items, s.selectFields(map[string]any{
			"@odata.type": "#microsoft.graph.fileAttachment", "id": e.id + "-att" + strconv.Itoa(i),
			"name": a.Name, "contentType": a.ContentType, "size": len(a.Data), "isInline": a.Inline,
		}, r.URL.Query()))
	}
	s.writePage(w, r, items, 10)
}

func parseWire(v any) (time.Time, bool) {
	m, _ := v.(map[string]any)
	sv, _ := m["dateTime"].(string)
	if i := strings.IndexByte(sv, '.'); i >= 0 {
		sv = sv[:i]
	}
	t, err := time.Parse("2006-01-02T15:04:05", sv)
	return t, err == nil
}

func (s *Server) calendarView(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
	to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
	if err1 != nil || err2 != nil {
		graphError(w, http.StatusBadRequest, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
		return
	}
	var items []map[string]any
	for _, e := range s.events {
		items = append(items, s.instances(e, from, to)...)
	}
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		return strings.Compare(a["start"].(map[string]any)["dateTime"].(string), b["start"].(map[string]any)["dateTime"].(string))
	})
	s.writePage(w, r, items, 10)
}

// instances are e's occurrences overlapping [from, to).
func (s *Server) instances(e *event, from, to time.Time) []map[string]any {
	start, ok1 := parseWire(e.data["start"])
	end, ok2 := parseWire(e.data["end"])
	if !ok1 || !ok2 {
		return nil
	}
	rec, _ := e.data["recurrence"].(map[string]any)
	if rec == nil {
		if start.Before(to) && end.After(from) {
			return []map[string]any{e.view(nil, start, end)}
		}
		return nil
	}
	var out []map[string]any
	for _, day := range occurrences(rec, start, to) {
		os := time.Date(day.Year(), day.Month(), day.Day(), start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
		oe := os.Add(end.Sub(start))
		if os.Before(to) && oe.After(from) {
			out = append(out, e.view(&os, os, oe))
		}
	}
	return out
}

// occurrences lists the days a series falls on, up to before.
func occurrences(rec map[string]any, start, before time.Time) []time.Time {
	pattern, _ := rec["pattern"].(map[string]any)
	rng, _ := rec["range"].(map[string]any)
	kind, _ := pattern["type"].(string)
	interval := 1
	if n, ok := pattern["interval"].(float64); ok && n >= 1 {
		interval = int(n)
	}
	until := before
	if rng["type"] == "endDate" {
		if d, err := time.Parse("2006-01-02", rng["endDate"].(string)); err == nil && d.AddDate(0, 0, 1).Before(until) {
			until = d.AddDate(0, 0, 1)
		}
	}
	count := -1
	if rng["type"] == "numbered" {
		if n, ok := rng["numberOfOccurrences"].(float64); ok {
			count = int(n)
		}
	}
	days := map[string]bool{}
	if list, ok := pattern["daysOfWeek"].([]any); ok {
		for _, d := range list {
			if name, ok := d.(string); ok {
				days[strings.ToLower(name)] = true
			}
		}
	}
	first := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	var out []time.Time
	for day := first; day.Before(until) && count != 0; day = day.AddDate(0, 0, 1) {
		offset := int(day.Sub(first).Hours() / 24)
		var hit bool
		switch kind {
		case "daily":
			hit = offset%interval == 0
		case "weekly":
			hit = (offset/7)%interval == 0 && days[strings.ToLower(day.Weekday().String())]
		default:
			hit = offset == 0
		}
		if hit {
			out = append(out, day)
			count--
		}
	}
	return out
}

// view is the event as a listing shows it: a single instance, or the
// occurrence starting at occ.
func (e *event) view(occ *time.Time, start, end time.Time) map[string]any {
	v := make(map[string]any, len(e.data)+4)
	for k, val := range e.data {
		v[k] = val
	}
	if _, ok := v["importance"]; !ok {
		v["importance"] = "normal"
	}
	v["hasAttachments"] = len(e.attachments) > 0
	v["type"] = "singleInstance"
	if occ != nil {
		delete(v, "recurrence")
		v["type"] = "occurrence"
		v["seriesMasterId"] = e.id
		v["id"] = e.id + "-" + occ.Format("20060102")
		v["start"] = map[string]any{"dateTime": start.Format(wireTime), "timeZone": "UTC"}
		v["end"] = map[string]any{"dateTime": end.Format(wireTime), "timeZone": "UTC"}
	}
	return v
}
