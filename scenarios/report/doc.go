// Package report is what a scenarios run found: the Report of every scenario and step, with
// what each webhook sent and got back (Exchange), and its forms for people (WriteText, which
// leads with the Diagnosis of one cause that explains a failed run), for CI (WriteJUnit) and for
// tools (WriteJSON). Package runner fills a Report in; this package only reads one.
package report
