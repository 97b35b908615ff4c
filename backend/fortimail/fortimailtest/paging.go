package fortimailtest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The emulator pages every collection as the reference describes the
// envelope: totalRemoteCount is the whole collection, subCount this
// page's items, nextPage true while items remain. The request parameters
// are the ones documented for the quarantine listing, startIndex (the
// first item, from 0) and pageSize; their names match in any case, since
// clients spell them both ways. Generic collection paging on a real
// appliance is unverified, and so is its page size: DefaultPageSize is
// invented.

// DefaultPageSize is the largest page the emulator sends when
// Options.PageSize is zero.
const DefaultPageSize = 1000

// paging is how one request's collection is paged.
type paging struct {
	max         int  // largest page
	endPaging   bool // a fault: say nextPage false though items remain
	ignoreStart bool // a fault: always answer the first page
}

type pagingKey struct{}

// withPaging carries the request's paging to writeCollection.
func withPaging(r *http.Request, pg paging) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), pagingKey{}, pg))
}

func pagingOf(r *http.Request) paging {
	if pg, ok := r.Context().Value(pagingKey{}).(paging); ok {
		return pg
	}
	return paging{max: DefaultPageSize}
}

// window reads startIndex and pageSize: the page asked for, its size
// clamped to the largest page.
func (pg paging) window(q url.Values) (start, size int, err error) {
	size = pg.max
	for k, vs := range q {
		n, err := strconv.Atoi(vs[0])
		switch strings.ToLower(k) {
		case "startindex":
			if err != nil || n < 0 {
				return 0, 0, errors.New("startIndex: want a number from 0")
			}
			start = n
		case "pagesize":
			if err != nil || n < 1 {
				return 0, 0, errors.New("pageSize: want a number from 1")
			}
			size = min(n, pg.max)
		}
	}
	if pg.ignoreStart {
		start = 0
	}
	return start, size, nil
}
