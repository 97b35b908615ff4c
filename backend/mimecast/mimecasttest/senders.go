package mimecasttest

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

func senderOut(m ManagedSender) any {
	return map[string]any{"id": m.ID, "sender": m.Sender, "to": m.To, "type": m.Type}
}

// permitOrBlock upserts the entry for (sender, to): blocking a permitted
// sender turns the entry into a block, and the reverse.
func (s *Server) permitOrBlock(r *apiRequest) result {
	type in struct {
		Sender string `json:"sender"`
		To     string `json:"to"`
		Action string `json:"action"`
	}
	return eachItem(r, func(v in) (any, *failure) {
		switch {
		case !looksLikeAddress(v.Sender):
			return nil, bad("err_validation_invalid_email_address", "sender is not an email address", "sender")
		case !looksLikeAddress(v.To):
			return nil, bad("err_validation_invalid_email_address", "to is not an email address", "to")
		case v.Action != "block" && v.Action != "permit":
			return nil, bad("err_validation_invalid_value", "action must be block or permit", "action")
		}
		typ := map[string]string{"block": "Block", "permit": "Permit"}[v.Action]
		i := slices.IndexFunc(s.st.senders, func(m ManagedSender) bool {
			return strings.EqualFold(m.Sender, v.Sender) && strings.EqualFold(m.To, v.To)
		})
		if i >= 0 {
			s.st.senders[i].Type = typ
			return senderOut(s.st.senders[i]), nil
		}
		m := ManagedSender{ID: nextID(), Sender: v.Sender, To: v.To, Type: typ}
		s.st.senders = append(s.st.senders, m)
		return senderOut(m), nil
	})
}

func (s *Server) managedSenders(r *apiRequest) result {
	return s.pagedDirect(r, mapSlice(s.st.senders, senderOut))
}

// urlParts splits a managed URL into the fields the API reports.
func urlParts(raw string) (scheme, host string, port int, path, query string, ok bool) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", "", 0, "", "", false
	}
	port = -1
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	path = u.EscapedPath()
	if path == "/" {
		path = ""
	}
	return u.Scheme, strings.ToLower(u.Hostname()), port, path, u.RawQuery, true
}

func managedURLOut(m ManagedURL) any {
	scheme, host, port, path, query, _ := urlParts(m.URL)
	return map[string]any{"id": m.ID, "scheme": scheme, "domain": host, "port": port, "path": path,
		"queryString": query, "matchType": m.MatchType, "action": m.Action, "comment": m.Comment,
		"disableUserAwareness": m.DisableUserAwareness, "disableRewrite": m.DisableRewrite,
		"disableLogClick": m.DisableLogClick}
}

func (s *Server) managedURLs(r *apiRequest) result {
	var in struct {
		DomainOrURL string `json:"domainOrUrl"`
		ExactMatch  bool   `json:"exactMatch"`
	}
	_ = r.item(0, &in)
	var out []any
	for _, m := range s.st.urls {
		_, host, _, _, _, _ := urlParts(m.URL)
		match := in.DomainOrURL == "" ||
			(in.ExactMatch && (strings.EqualFold(host, in.DomainOrURL) || strings.EqualFold(m.URL, in.DomainOrURL))) ||
			(!in.ExactMatch && containsFold(m.URL, in.DomainOrURL))
		if match {
			out = append(out, managedURLOut(m))
		}
	}
	return s.pagedDirect(r, out)
}

type managedURLIn struct {
	URL                  string `json:"url"`
	Action               string `json:"action"`
	MatchType            string `json:"matchType"`
	Comment              string `json:"comment"`
	DisableLogClick      bool   `json:"disableLogClick"`
	DisableRewrite       bool   `json:"disableRewrite"`
	DisableUserAwareness bool   `json:"disableUserAwareness"`
}

func (s *Server) createManagedURL(r *apiRequest) result {
	return eachItem(r, func(in managedURLIn) (any, *failure) {
		if f := checkManagedURL(&in); f != nil {
			return nil, f
		}
		_, host, port, path, query, _ := urlParts(in.URL)
		dup := slices.ContainsFunc(s.st.urls, func(m ManagedURL) bool {
			_, h, p, pa, q, _ := urlParts(m.URL)
			return h == host && p == port && pa == path && q == query && m.MatchType == in.MatchType
		})
		if dup {
			return nil, bad("err_managed_url_exists_code", "managed URL already exists; delete it and create it again to change it", "")
		}
		m := ManagedURL{ID: nextID(), URL: in.URL, Action: in.Action, MatchType: in.MatchType, Comment: in.Comment,
			DisableLogClick: in.DisableLogClick, DisableRewrite: in.DisableRewrite, DisableUserAwareness: in.DisableUserAwareness}
		s.st.urls = append(s.st.urls, m)
		return managedURLOut(m), nil
	})
}

func checkManagedURL(in *managedURLIn) *failure {
	if in.MatchType == "" {
		in.MatchType = "explicit"
	}
	switch {
	case in.URL == "":
		return bad("err_validation_null", "url is required", "url")
	case strings.Contains(in.URL, "#"):
		return bad("err_validation_invalid_url", "url must not contain a fragment", "url")
	case in.Action != "block" && in.Action != "permit":
		return bad("err_validation_invalid_value", "action must be block or permit", "action")
	case in.MatchType != "explicit" && in.MatchType != "domain":
		return bad("err_validation_invalid_value", "matchType must be explicit or domain", "matchType")
	}
	if _, _, _, _, _, ok := urlParts(in.URL); !ok {
		return bad("err_validation_invalid_url", "url is not a URL", "url")
	}
	return nil
}

func (s *Server) deleteManagedURL(r *apiRequest) result {
	res := eachItem(r, func(in idIn) (any, *failure) {
		i := indexByID(s.st.urls, in.ID, func(m ManagedURL) string { return m.ID })
		if i < 0 {
			return nil, bad("err_managed_url_not_found", "no managed URL with that id", "id")
		}
		s.st.urls = slices.Delete(s.st.urls, i, i+1)
		return nil, nil
	})
	return res // success answers data: [] as recorded
}

// isIPHost reports whether a URL's host is an IP literal.
func isIPHost(host string) bool { return net.ParseIP(strings.Trim(host, "[]")) != nil }
