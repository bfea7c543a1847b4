"""Cross-domain events. A producer sends, a consumer connects in its AppConfig.ready();
neither imports the other (docs/adding-a-domain.md §5).

attendance_recorded
    Sent by a domain that records who attended something that counts as study
    (organisational life: a 党课, a 主题党日 with a study part; a training session).
    Keyword arguments:
      source         the record attended (a model instance; the consumer keeps a
                     reference to it so a re-send replaces, never duplicates, the credit)
      organisation   the organisation that held it
      date           datetime.date
      hours          Decimal hours credited to each person present
      form           a study form code (education's rules name them: "party_lecture",
                     "theme_day", "collective_study", "training" …)
      content        a line of text (the topic)
      member_ids     ids of the members present (a re-send with a changed list replaces it)
      actor          the acting user or system actor
    The consumer (education) credits the study archive inside the sender's transaction.
"""

from django.dispatch import Signal

attendance_recorded = Signal()
