"""Clinical review of the catalog's drafts: therapists approve a draft or ask for changes before
patients see it, and a clinic may require an approval to publish."""
