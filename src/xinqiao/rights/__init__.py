"""A guardian's request for a copy or a correction of their child's records (PIPL art. 45-46,
issue 16 item 4): the director's decision, the 30-day deadline, the watermarked release and its
entry in the disclosure register."""
