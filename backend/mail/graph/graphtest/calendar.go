package graphtest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Calendar events and contacts: enough of Graph's /events and /contacts
// for the seed's create-event, get-events and get-contacts.

type event struct {
	id          string
	data        map[string]any // as posted, plus id and organizer
	attachments []EventAttachment
}

// Contact seeds the address book.
type Contact struct {
	DisplayName, Email, Company, JobTitle string
}

// AddContact adds an address-book entry.
func (s *Server) AddContact(c Contact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts = append(s.contacts, map[string]any{
		"id": s.newID("contact"), "displayName": c.DisplayName, "companyName": c.Company, "jobTitle": c.JobTitle,
		"emailAddresses": []map[string]string{{"address": c.Email, "name": c.DisplayName}}, "businessPhones": []string{},
	})
}

// Events returns the stored events as Graph would send them.
func (s *Server) Events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(s.events))
	for i, e := range s.events {
		out[i] = e.data
	}
	return out
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	var data map[string]any
	if err := json.NewDecoder(r.Body).Decode(&data); err != nil {
		graphError(w, http.StatusBadRequest, "RequestBodyRead", "Cannot read the request body.")
		return
	}
	subj, _ := data["subject"].(string)
	start, _ := data["start"].(map[string]any)
	end, _ := data["end"].(map[string]any)
	if subj == "" || start == nil || end == nil {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRequest", "subject, start and end are required.")
		return
	}
	if sv, _ := start["dateTime"].(string); sv >= end["dateTime"].(string) {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRequest", "The end of the event must be after its start.")
		return
	}
	e := &event{id: s.newID("event"), data: data}
	data["id"] = e.id
	data["organizer"] = map[string]any{"emailAddress": map[string]string{"address": s.Mailbox}}
	s.events = append(s.events, e)
	writeJSON(w, http.StatusCreated, data)
}

var (
	eventStartFilter = regexp.MustCompile(`start/dateTime (ge|lt) '([^']+)'`)
	subjectContains  = regexp.MustCompile(`contains\(subject,'((?:[^']|'')*)'\)`)
)

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("$filter")
	var items []map[string]any
	for _, e := range s.events {
		start := e.data["start"].(map[string]any)["dateTime"].(string)
		ok := true
		for _, m := range eventStartFilter.FindAllStringSubmatch(filter, -1) {
			if m[1] == "ge" && start < m[2] || m[1] == "lt" && start >= m[2] {
				ok = false
			}
		}
		if m := subjectContains.FindStringSubmatch(filter); m != nil {
			want := strings.ReplaceAll(m[1], "''", "'")
			subj, _ := e.data["subject"].(string)
			ok = ok && strings.Contains(strings.ToLower(subj), strings.ToLower(want))
		}
		if ok {
			items = append(items, e.data)
		}
	}
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		return strings.Compare(a["start"].(map[string]any)["dateTime"].(string), b["start"].(map[string]any)["dateTime"].(string))
	})
	s.writePage(w, r, items, 10)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	items := slices.Clone(s.contacts)
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		return strings.Compare(a["displayName"].(string), b["displayName"].(string))
	})
	s.writePage(w, r, items, 10)
}
