// Package codebase holds the tests of the repository as a whole — what no single package can
// check about itself: how long functions are, which way imports run, that comments cite files of
// the repository, and that option names are spelled only in core's registry. It has no code.
package codebase
