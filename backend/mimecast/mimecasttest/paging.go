package mimecasttest

// cursor is where a page token continues.
type cursor struct {
	path   string
	offset int
}

// page cuts items to the requested page and returns meta.pagination. Tokens
// are random and remembered, so they are as opaque as the real ones and a
// token from one path is refused on another.
func (s *Server) page(r *apiRequest, items []any) ([]any, map[string]any, *failure) {
	start := 0
	if tok := r.Meta.Pagination.PageToken; tok != "" {
		c, ok := s.cursors[tok]
		if !ok || c.path != r.path {
			f := fail(nil, "err_pagination_token_invalid", "unknown page token", "pageToken")
			return nil, nil, &f
		}
		start = min(c.offset, len(items))
	}
	size := r.Meta.Pagination.PageSize
	if size <= 0 {
		size = s.opts.DefaultPageSize
	}
	size = min(size, s.opts.MaxPageSize)
	end := min(start+size, len(items))
	out := items[start:end]
	meta := map[string]any{"pageSize": len(out), "totalCount": len(items)}
	if end < len(items) {
		tok := randomHex(16)
		s.cursors[tok] = cursor{path: r.path, offset: end}
		meta["next"] = tok
	}
	if start > 0 {
		tok := randomHex(16)
		s.cursors[tok] = cursor{path: r.path, offset: max(0, start-size)}
		meta["previous"] = tok
	}
	return out, meta, nil
}

// pagedDirect answers with items directly in data[].
func (s *Server) pagedDirect(r *apiRequest, items []any) result {
	out, meta, f := s.page(r, items)
	if f != nil {
		return failed(*f)
	}
	return result{data: out, page: meta}
}

// pagedNested answers with items in data[0].<field>, plus extra fields.
func (s *Server) pagedNested(r *apiRequest, field string, items []any, extra map[string]any) result {
	out, meta, f := s.page(r, items)
	if f != nil {
		return failed(*f)
	}
	obj := map[string]any{field: out}
	for k, v := range extra {
		obj[k] = v
	}
	return result{data: []any{obj}, page: meta}
}
