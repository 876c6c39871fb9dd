"""The project e-transaction system (项目采购电子交易系统). For now the simplified flow (简易流程):
a filed plan is entrusted to an agency, and only the announcements go online; the rest happens
offline and the result records the winners. The project state machine is explicit so the full
e-transaction can grow from it."""
