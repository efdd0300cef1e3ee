"""The roster import: a school's classes, staff, students and guardians for a semester, from Excel.

One workbook holds four sheets (班级, 教职工, 学生, 家长; ``template.roster_template`` writes an
empty one). ``checks.roster_validate`` reads every row and reports every bad cell (sheet, row as
Excel numbers it, column header, reason) and what the import would do; ``writer.roster_import``
validates again inside one transaction and writes everything or nothing. Importing the same file
twice changes nothing: people are found again by student number, staff number or guardian phone,
classes by (year of entry, class number).

A workbook with students is the whole roster of the semester: enrolled students it no longer
lists have graduated (their class was in the final grade and the school year moved on) or left,
and classes no student of it is in are closed. A workbook without students (e.g. new staff
only) changes no student and no class it does not name.

Modules: ``format`` (sheets, columns, problems), ``semesters``, ``template``, ``workbook``
(reading cells and sheets), ``checks``, ``writer``, and ``jobs`` (imports from the web page: the
uploaded file, its progress, the task queue for large ones).
"""
