-- want: 2:1: DROP
DROP TABLE t;
