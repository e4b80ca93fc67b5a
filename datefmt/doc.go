// Package datefmt formats and parses times with Java date/time patterns, the
// way Flink's options and SQL functions write them:
// scan.stream.initpos-timestamp-format, DATE_FORMAT, TO_TIMESTAMP and
// FROM_UNIXTIME all take patterns such as "yyyy-MM-dd'T'HH:mm:ss.SSSXXX".
//
// A pattern is compiled once with Compile and then used for any number of
// Parse and Format calls; AppendFormat writes into a caller's buffer without
// allocating. Pattern letters follow java.time.format.DateTimeFormatter where
// it and java.text.SimpleDateFormat differ ("S" is a fraction of a second,
// "yy" is 2000..2099), while parsing is lenient about digit counts the way
// SimpleDateFormat is ("2024-3-5" matches "yyyy-MM-dd"). Errors name the
// pattern letter and its position, or the character of the input where
// something else was expected.
//
// It is not a general calendar library: there are no locales (month and day
// names are English), no week-based years, eras, or full zone names, and it
// does no time arithmetic.
package datefmt
