package mimecasttest

import (
	"slices"
	"strings"
)

func groupOut(st *state, g Group) map[string]any {
	children := 0
	for _, c := range st.groups {
		if c.ParentID == g.ID && g.ID != "" {
			children++
		}
	}
	source := g.Source
	if source == "" {
		source = "cloud"
	}
	return map[string]any{"id": g.ID, "description": g.Description, "source": source,
		"parentId": g.ParentID, "userCount": len(g.Members), "folderCount": children}
}

func (s *Server) findGroups(r *apiRequest) result {
	var in struct {
		Query  string `json:"query"`
		Source string `json:"source"`
	}
	_ = r.item(0, &in)
	var out []any
	for _, g := range s.st.groups {
		src := g.Source
		if src == "" {
			src = "cloud"
		}
		if containsFold(g.Description, in.Query) && (in.Source == "" || in.Source == src) {
			out = append(out, groupOut(s.st, g))
		}
	}
	return s.pagedNested(r, "folders", out, map[string]any{"query": in.Query, "source": in.Source})
}

type groupIn struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	ParentID    string `json:"parentId"`
}

func (s *Server) createGroup(r *apiRequest) result {
	return eachItem(r, func(in groupIn) (any, *failure) {
		if strings.TrimSpace(in.Description) == "" {
			return nil, bad("err_validation_blank", "description must not be blank", "description")
		}
		if in.ParentID != "" && s.st.group(in.ParentID) == nil {
			return nil, bad("err_folder_not_found", "parent group does not exist", "parentId")
		}
		g := Group{ID: nextID(), Description: in.Description, ParentID: in.ParentID, Source: "cloud"}
		s.st.groups = append(s.st.groups, g)
		return groupOut(s.st, g), nil
	})
}

func (s *Server) updateGroup(r *apiRequest) result {
	return eachItem(r, func(in groupIn) (any, *failure) {
		g := s.st.group(in.ID)
		if g == nil {
			return nil, bad("err_folder_not_found", "no group with that id", "id")
		}
		if in.ParentID != "" && (in.ParentID == in.ID || s.st.group(in.ParentID) == nil) {
			return nil, bad("err_folder_not_found", "parent group does not exist", "parentId")
		}
		if in.Description != "" {
			g.Description = in.Description
		}
		if in.ParentID != "" {
			g.ParentID = in.ParentID
		}
		return groupOut(s.st, *g), nil
	})
}

func (s *Server) deleteGroup(r *apiRequest) result {
	return eachItem(r, func(in idIn) (any, *failure) {
		i := indexByID(s.st.groups, in.ID, func(g Group) string { return g.ID })
		if i < 0 {
			return nil, bad("err_folder_not_found", "no group with that id", "id")
		}
		s.st.groups = slices.Delete(s.st.groups, i, i+1)
		return map[string]any{"id": in.ID, "status": "deleted"}, nil
	})
}

func memberOut(m Member) any {
	typ := "email_address"
	if m.Domain != "" {
		typ = "domain"
	}
	return map[string]any{"emailAddress": m.EmailAddress, "domain": m.Domain, "name": m.Name,
		"type": typ, "internal": m.Internal, "notes": m.Notes}
}

func (s *Server) groupMembers(r *apiRequest) result {
	var in idIn
	_ = r.item(0, &in)
	g := s.st.group(in.ID)
	if g == nil {
		return failed(fail(r.Data, "err_folder_not_found", "no group with that id", "id"))
	}
	return s.pagedNested(r, "groupMembers", mapSlice(g.Members, memberOut), nil)
}

type memberIn struct {
	ID           string `json:"id"`
	EmailAddress string `json:"emailAddress"`
	Domain       string `json:"domain"`
	Notes        string `json:"notes"`
}

func (m memberIn) key() string { return strings.ToLower(m.EmailAddress + m.Domain) }

func (s *Server) memberTarget(in memberIn) (*Group, int, *failure) {
	g := s.st.group(in.ID)
	if g == nil {
		return nil, 0, bad("err_folder_not_found", "no group with that id", "id")
	}
	if (in.EmailAddress == "") == (in.Domain == "") {
		return nil, 0, bad("err_validation_null", "give emailAddress or domain", "emailAddress")
	}
	if in.EmailAddress != "" && !looksLikeAddress(in.EmailAddress) {
		return nil, 0, bad("err_validation_invalid_email_address", "not an email address", "emailAddress")
	}
	i := slices.IndexFunc(g.Members, func(m Member) bool { return strings.ToLower(m.EmailAddress+m.Domain) == in.key() })
	return g, i, nil
}

func (s *Server) internal(addrOrDomain string) bool {
	d := addrOrDomain
	if strings.Contains(d, "@") {
		d = domainOf(d)
	}
	return strings.EqualFold(d, domainOf(s.opts.APIUser))
}

func changeOut(g *Group, m Member, internal bool) any {
	out := map[string]any{"id": m.ID, "folderId": g.ID, "internal": internal}
	if m.Domain != "" {
		out["domain"] = m.Domain
	} else {
		out["emailAddress"] = m.EmailAddress
	}
	return out
}

func (s *Server) addMember(r *apiRequest) result {
	return eachItem(r, func(in memberIn) (any, *failure) {
		g, i, f := s.memberTarget(in)
		if f != nil {
			return nil, f
		}
		if i >= 0 {
			return nil, bad("err_folder_group_member_already_exists", "already a member of the group", "")
		}
		m := Member{ID: nextID(), EmailAddress: in.EmailAddress, Domain: in.Domain, Notes: in.Notes,
			Internal: s.internal(in.EmailAddress + in.Domain)}
		g.Members = append(g.Members, m)
		return changeOut(g, m, m.Internal), nil
	})
}

func (s *Server) removeMember(r *apiRequest) result {
	return eachItem(r, func(in memberIn) (any, *failure) {
		g, i, f := s.memberTarget(in)
		if f != nil {
			return nil, f
		}
		if i < 0 {
			return nil, bad("err_folder_email_address_not_found", "not a member of the group", "")
		}
		m := g.Members[i]
		g.Members = slices.Delete(g.Members, i, i+1)
		return changeOut(g, m, m.Internal), nil
	})
}
