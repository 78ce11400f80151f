package apperr

import (
	"errors"
	"strings"
)

// List is every problem of one input (a form, a request body), each an
// *Error naming its field, in field order. As an error it is its first
// problem: Code, As and Is see that one, so a caller that shows one
// message keeps working; forms show them all, and the API adds them all
// to its error body as "errors".
type List []*Error

// Error joins the problems' texts.
func (l List) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// Unwrap gives the problems to errors.As and errors.Is, the first first.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Join returns the problems as one error: nil for none, the problem itself
// for one, else a List.
func Join(problems []*Error) error {
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	return List(problems)
}

// Problems returns every problem err carries: a List's, or the one *Error;
// nil for an internal error.
func Problems(err error) []*Error {
	var l List
	if errors.As(err, &l) {
		return l
	}
	if e, ok := As(err); ok {
		return []*Error{e}
	}
	return nil
}
